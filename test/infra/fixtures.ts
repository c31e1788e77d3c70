import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { REPO_ROOT } from '../../infra/lib/gofn-app';

/**
 * Stand-ins for the build outputs, in a temporary directory, so the assertion tests need neither
 * Go nor the real handler bundles: the stacks only check that `bootstrap` and `index.js` exist.
 */
export interface FakeBuild {
  workloadsDist: string;
  lambdaDist: string;
  cleanup(): void;
}

export function fakeBuildOutputs(): FakeBuild {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gofn-infra-'));
  const write = (file: string, content: string) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content, { mode: 0o755 });
  };
  for (const fn of ['hello', 'orders-worker']) write(path.join(root, 'workloads', fn, 'bootstrap'), '#!/bin/sh\n');
  for (const fn of ['ingress', 'worker']) write(path.join(root, 'lambda', fn, 'index.js'), 'exports.handler = 1;\n');
  return {
    workloadsDist: path.join(root, 'workloads'),
    lambdaDist: path.join(root, 'lambda'),
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/** The feature flags of infra/cdk.json, so tests synthesize what `cdk synth` synthesizes. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'infra', 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

export function newApp(context: Record<string, unknown> = {}): App {
  return new App({ context: { ...cdkJsonContext(), ...context } });
}

type Resource = { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown };

/** The one resource of a type whose properties match, with its logical ID. */
export function onlyResource(template: Template, type: string, props: object = {}): [string, Resource] {
  const found = Object.entries(template.findResources(type, { Properties: props }));
  if (found.length !== 1) throw new Error(`expected one ${type} matching, found ${found.length}`);
  return found[0] as [string, Resource];
}

/** Every IAM statement in the template's policies, flattened. */
export function allStatements(template: Template): Record<string, unknown>[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => {
    const doc = (p as Resource).Properties?.PolicyDocument as { Statement: Record<string, unknown>[] };
    return doc.Statement;
  });
}

export const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
