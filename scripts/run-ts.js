#!/usr/bin/env node
'use strict';
// Runs a TypeScript entry point: bundles it with esbuild into bench/.build/ (node_modules stay
// external, so packages load exactly as they are installed) and runs the result in a fresh Node
// process with the remaining arguments.
//
//   node scripts/run-ts.js bench/run.ts [args...]
const { build } = require('esbuild');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

async function main() {
  const [entry, ...args] = process.argv.slice(2);
  if (!entry) {
    process.stderr.write('usage: node scripts/run-ts.js <entry.ts> [args...]\n');
    return 2;
  }
  const name = path.basename(entry).replace(/\.[cm]?tsx?$/, '');
  const outfile = path.join(root, 'bench', '.build', `${name}.js`);
  await build({
    absWorkingDir: root,
    entryPoints: [path.resolve(entry)],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  const child = spawnSync(process.execPath, ['--enable-source-maps', outfile, ...args], {
    stdio: 'inherit',
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env },
  });
  if (child.error) throw child.error;
  return child.status ?? 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`run-ts: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
