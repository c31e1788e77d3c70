/**
 * Memory is measured in child processes, one per run, so no run shares a heap with another or
 * with the benchmark harness. Each child is bundled with the options of scripts/bundle-lambdas.mjs,
 * so gofn's code and its packages load the way they load in Lambda, and prints one JSON line: its
 * peak RSS from `process.resourceUsage()`.
 */
import { build, type BuildOptions } from 'esbuild';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './paths';

interface LambdaBundling {
  bundleOptions(entry: string, outfile: string): BuildOptions;
}

export interface ChildReport {
  /** Peak resident set size of the child, in MB (10^6 bytes). */
  maxRssMb: number;
  /** What the child did, for the record. */
  [key: string]: unknown;
}

/** Bundles bench/children/<name>.ts into dist/bench/children/<name>.js, as a Lambda bundle. */
export async function buildChild(name: string): Promise<string> {
  const root = repoRoot();
  const outfile = path.join(root, 'dist', 'bench', 'children', `${name}.js`);
  const script = pathToFileURL(path.join(root, 'scripts', 'bundle-lambdas.mjs')).href;
  const { bundleOptions } = (await import(script)) as LambdaBundling;
  const options = bundleOptions(path.join(root, 'bench', 'children', `${name}.ts`), outfile);
  await build({ ...options, sourcemap: false, metafile: false, logLevel: 'error' });
  return outfile;
}

/** Runs a built child with extra environment; resolves with the JSON it printed last. */
export function runChild(file: string, env: Record<string, string>, nodeFlags: string[] = []): Promise<ChildReport> {
  return runNode([...nodeFlags, file], env);
}

/** Peak RSS of a process that only loads `bundle` (a Lambda bundle) and waits a moment. */
export function loadOnly(bundle: string, env: Record<string, string>): Promise<ChildReport> {
  const code =
    `require(${JSON.stringify(bundle)});` +
    `setTimeout(() => console.log(JSON.stringify({ maxRssMb: Number((process.resourceUsage().maxRSS * 1024 / 1e6).toFixed(1)) })), 200);`;
  return runNode(['-e', code], env);
}

function runNode(args: string[], env: Record<string, string>): Promise<ChildReport> {
  const file = args[args.length - 1] ?? 'node';
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) {
        reject(new Error(`${path.basename(file)} exited with ${code}: ${err.trim() || out.trim()}`));
        return;
      }
      try {
        resolve(JSON.parse(last) as ChildReport);
      } catch {
        reject(new Error(`${path.basename(file)} printed no report: ${out.trim()} ${err.trim()}`));
      }
    });
  });
}

/** What a child prints when done: its peak RSS and whatever it wants to add. */
export function report(extra: Record<string, unknown> = {}): void {
  const maxRssMb = (process.resourceUsage().maxRSS * 1024) / 1e6;
  process.stdout.write(`${JSON.stringify({ maxRssMb: Number(maxRssMb.toFixed(1)), ...extra })}\n`);
}
