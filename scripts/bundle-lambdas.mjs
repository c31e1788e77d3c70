#!/usr/bin/env node
// Bundles the bot's Lambda entry points with esbuild. This script is the only bundling
// configuration: the CDK stacks deploy exactly what it writes, and benchmarks measure the same
// files, so a size or cold-start number always describes what runs in Lambda.
//
//   node scripts/bundle-lambdas.mjs            writes dist/lambda/<name>/index.js
//   node scripts/bundle-lambdas.mjs --outdir X writes X/<name>/index.js instead
//
// Next to each bundle: index.js.map (external source map, for decoding a minified stack trace
// locally) and meta.json (esbuild metafile: drop it on https://esbuild.github.io/analyze/ to see
// what makes the bundle big). The CDK asset excludes both, so Lambda receives index.js alone.
import { build } from 'esbuild';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Lambda function name → entry point. The CDK bot stack reads `<outdir>/<name>`. */
export const entryPoints = {
  ingress: 'src/handlers/ingress.ts',
  worker: 'src/handlers/worker.ts',
};

/**
 * Bolt's index and App require every receiver it ships (Express, HTTP, Socket Mode, with
 * express, body-parser, undici and the OAuth package behind them), although a Lambda only ever
 * constructs the AwsLambdaReceiver it is given. Those modules are replaced by a stub that throws
 * if anything does construct them, which keeps about 1.5 MB out of the ingress and its cold start.
 * @type {import('esbuild').Plugin}
 */
export const unusedSlackReceivers = {
  name: 'unused-slack-receivers',
  setup(build) {
    const unused =
      /^(\.\/receivers\/(HTTPReceiver|SocketModeReceiver|ExpressReceiver|HTTPModuleFunctions|HTTPResponseAck)|@slack\/oauth|@slack\/socket-mode|raw-body)$/;
    build.onResolve({ filter: unused }, (args) =>
      args.importer.includes(`${path.sep}@slack${path.sep}`)
        ? { path: args.path, namespace: 'unused-slack-receiver' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'unused-slack-receiver' }, (args) => ({
      contents: `const unused = function () { throw new Error(${JSON.stringify(`${args.path} is not part of this Lambda bundle`)}); };
module.exports = new Proxy(unused, { get: (target, key) => (key === '__esModule' ? false : target) });`,
      loader: 'js',
    }));
  },
};

/** @returns {import('esbuild').BuildOptions} */
export function bundleOptions(entry, outfile) {
  return {
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    // Everything is bundled, the AWS SDK included: nodejs22.x ships an SDK v3, but not the
    // version our lockfile pins and our tests ran against.
    packages: 'bundle',
    platform: 'node',
    // ES module builds first: esbuild can drop what is never imported from them (zod's locales,
    // unused SDK commands), which it cannot do with CommonJS.
    mainFields: ['module', 'main'],
    target: 'node22',
    format: 'cjs',
    minify: true,
    // Minification would rename classes; keep names so error classes and stack frames stay
    // readable in CloudWatch Logs.
    keepNames: true,
    sourcemap: 'external',
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [unusedSlackReceivers],
  };
}

async function bundle(name, entry, outdir) {
  const dir = path.join(outdir, name);
  // A stale file left from an earlier build must not ride along into the Lambda asset.
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const outfile = path.join(dir, 'index.js');
  const result = await build(bundleOptions(entry, outfile));
  await writeFile(path.join(dir, 'meta.json'), JSON.stringify(result.metafile));
  // The worker walks the default runbook; it travels next to the bundle (see src/project.ts).
  if (name === 'worker') {
    await cp(
      path.join(root, 'runbooks', 'degraded-function.yaml'),
      path.join(dir, 'runbooks', 'degraded-function.yaml'),
    );
  }
  const bytes = result.metafile.outputs[path.relative(root, outfile)]?.bytes ?? 0;
  return { name, outfile: path.relative(root, outfile), bytes };
}

async function main() {
  const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist/lambda' } } });
  const outdir = path.resolve(root, values.outdir);
  const results = await Promise.all(Object.entries(entryPoints).map(([name, entry]) => bundle(name, entry, outdir)));
  for (const r of results) {
    process.stderr.write(`bundle-lambdas: ${r.outfile} ${(r.bytes / 1024).toFixed(1)} KiB\n`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`bundle-lambdas: ${err.message}\n`);
    process.exitCode = 1;
  });
}
