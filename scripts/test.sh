#!/bin/sh
# The whole test suite, as CI runs it: set-up, static checks, TypeScript tests (unit, emulator,
# Slack fake), the Go workloads (unit tests, reproducible build, Lambda runtime emulator) and the
# infrastructure (CDK synth, assertions, cdk-nag, cfn-lint).
set -eu
cd "$(dirname "$0")/.."
started=$(date +%s)
stage() { printf '\n== %s\n' "$*" >&2; }

stage "set-up"
sh scripts/setup.sh all

stage "lint and types"
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }
npx tsc -p tsconfig.check.json

stage "TypeScript tests"
npx jest --ci ${JEST_ARGS:-}

if [ -f workloads/go.mod ]; then
  stage "Go workloads"
  sh workloads/scripts/test.sh
fi

if [ -f infra/test.sh ]; then
  stage "infrastructure"
  sh infra/test.sh
fi

printf '\nall tests passed in %ss\n' "$(( $(date +%s) - started ))" >&2
