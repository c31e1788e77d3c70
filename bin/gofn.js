#!/usr/bin/env node
'use strict';
const path = require('node:path');
const fs = require('node:fs');

const entry = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('gofn: not built yet; run `npm run build` (or `npm run demo`, which sets everything up).\n');
  process.exit(3);
}
require(entry)
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
