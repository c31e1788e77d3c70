#!/bin/sh
# Installs what gofn needs, only what is missing or changed, so running it twice is cheap.
#   scripts/setup.sh demo   Node packages and the compiled CLI (enough for the demo)
#   scripts/setup.sh all    also the Python tools (AWS emulator, cfn-lint, parliament, checkov) and the Go modules
set -eu
cd "$(dirname "$0")/.."
mode="${1:-all}"

say() { printf 'setup: %s\n' "$*" >&2; }
digest() { cat "$@" | sha256sum | cut -d' ' -f1; }

# Node packages: reinstall when the lockfile changed since the last install.
want=$(digest package-lock.json)
if [ ! -f node_modules/.gofn-lock ] || [ "$(cat node_modules/.gofn-lock)" != "$want" ]; then
  say "installing Node packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  printf '%s' "$want" > node_modules/.gofn-lock
fi

# The compiled CLI: rebuilt only when a source, the compiler settings or the packages changed, so
# a second `npm run demo` starts at once. The old output goes first, so a deleted source leaves
# nothing behind (dist/lambda holds the bundles the infra build makes, not tsc's output).
want=$( (find src -name '*.ts' -type f | LC_ALL=C sort | xargs cat; cat tsconfig.json package-lock.json) | sha256sum | cut -d' ' -f1)
if [ ! -f dist/.gofn-src ] || [ "$(cat dist/.gofn-src)" != "$want" ]; then
  say "compiling TypeScript"
  [ -d dist ] && find dist -mindepth 1 -maxdepth 1 ! -name lambda -exec rm -rf {} +
  npx tsc -p tsconfig.json
  printf '%s' "$want" > dist/.gofn-src
fi

[ "$mode" = "demo" ] && exit 0

# Python tools in a venv: the AWS emulator, cfn-lint, slack_sdk and parliament, pinned in tools/requirements.txt.
want=$(digest tools/requirements.txt)
if [ ! -x .venv/bin/python ] || [ ! -f .venv/.gofn-req ] || [ "$(cat .venv/.gofn-req)" != "$want" ]; then
  say "installing Python tools into .venv (moto, cfn-lint, slack_sdk, parliament)"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r tools/requirements.txt
  printf '%s' "$want" > .venv/.gofn-req
fi

# checkov in a venv of its own: it pins boto3 exactly (tools/requirements-checkov.txt says why).
want=$(digest tools/requirements-checkov.txt)
if [ ! -x .venv/checkov/bin/checkov ] || [ ! -f .venv/checkov/.gofn-req ] || [ "$(cat .venv/checkov/.gofn-req)" != "$want" ]; then
  say "installing checkov into .venv/checkov"
  python3 -m venv .venv/checkov
  .venv/checkov/bin/pip install --quiet --disable-pip-version-check -r tools/requirements-checkov.txt
  printf '%s' "$want" > .venv/checkov/.gofn-req
fi

# Go modules of the workloads.
if [ -f workloads/go.mod ]; then
  say "downloading Go modules"
  (cd workloads && go mod download)
fi
