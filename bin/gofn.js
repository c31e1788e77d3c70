#!/usr/bin/env node
'use strict';
const path = require('node:path');
const fs = require('node:fs');

// The AWS SDK warns on Node 20 that releases after January 2027 need Node 22. gofn pins its SDK
// version in the lockfile, so the warning says nothing to a gofn user; keep stderr for gofn.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

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
