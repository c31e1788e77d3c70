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

say "compiling TypeScript"
npx tsc -p tsconfig.json

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
