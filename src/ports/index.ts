/**
 * The adapter interfaces the runbook engine, checks and actions are written against, one file
 * per concern; see common.ts for the conventions every port method follows.
 */
export * from './common';
export * from './functions';
export * from './metrics';
export * from './logs';
export * from './traces';
export * from './deploys';
export * from './queues';
export * from './sources';
export * from './control';
export * from './store';
export * from './alarms';
export * from './cost';
export * from './profiles';
export * from './targets';
