// Runs the CDK app (bin/app.ts) straight from TypeScript (see ts-require.mjs).
import { require } from './ts-require.mjs';

require('./bin/app.ts');
