// Lets Node require TypeScript files of infra/ directly: each .ts file is compiled by esbuild as
// Node requires it, so paths, __dirname and node_modules resolve as they would for compiled code.
// Types are checked by `tsc -p tsconfig.check.json`, not here.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';

export const require = createRequire(import.meta.url);
const Module = require('node:module');

Module._extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    loader: 'ts',
    format: 'cjs',
    target: 'node20',
    sourcefile: filename,
    sourcemap: 'inline',
  });
  module._compile(code, filename);
};
process.setSourceMapsEnabled(true);
