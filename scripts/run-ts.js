#!/usr/bin/env node
'use strict';
// Runs a TypeScript entry point: bundles it with esbuild into dist/bench/ (build output, which git,
// ESLint and Prettier already leave alone; node_modules stay external, so packages load exactly
// as installed) and runs the result in a fresh Node process with the remaining arguments.
//
//   node scripts/run-ts.js bench/run.ts [args...]

async function main() {
  const { build } = await import('esbuild');
  const { spawnSync } = await import('node:child_process');
  const path = await import('node:path');
  const root = path.resolve(__dirname, '..');
  const [entry, ...args] = process.argv.slice(2);
  if (!entry) {
    process.stderr.write('usage: node scripts/run-ts.js <entry.ts> [args...]\n');
    return 2;
  }
  const name = path.basename(entry).replace(/\.[cm]?tsx?$/, '');
  const outfile = path.join(root, 'dist', 'bench', `${name}.js`);
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
    // The SDK's notice that releases after January 2027 need Node 22 says nothing here.
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
