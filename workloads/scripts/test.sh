#!/bin/sh
# The Go workloads' test suite, as the root scripts/test.sh (npm test) runs it:
#   1. gofmt and go vet
#   2. go test ./...                  unit tests, handlers against fakes
#   3. scripts/build.sh               the arm64 release build; prints the checksums
#   4. scripts/repro-test.sh          the same build from two other paths must match
#   5. e2e (go test -tags rie)        each bootstrap under the Lambda Runtime Interface
#                                     Emulator, against DynamoDB in the AWS emulator (moto)
# Needs the Python tools (scripts/setup.sh all puts moto in .venv). Safe to run twice: every
# port is picked free, and the trap stops what the run started.
set -eu
cd "$(dirname "$0")/.."
started=$(date +%s)
step() { printf '\n-- workloads: %s (at %ss)\n' "$*" "$(( $(date +%s) - started ))" >&2; }

moto=../.venv/bin/moto_server
[ -x "$moto" ] || { echo "workloads: $moto is missing; run: sh scripts/setup.sh all" >&2; exit 1; }

# Tests compile with the release build's settings (pinned Go, no cgo, -trimpath, the
# lambda.norpc tag), so they test the code that ships and share its build cache.
GOTOOLCHAIN=$(sed -n 's/^toolchain //p' go.mod)
export GOTOOLCHAIN CGO_ENABLED=0 GOFLAGS="-mod=readonly -trimpath -tags=lambda.norpc"

e2e_pid=""
cleanup() {
  # The e2e binary stops the RIE and moto it started when it gets SIGTERM.
  if [ -n "$e2e_pid" ]; then
    kill -TERM "$e2e_pid" 2>/dev/null || true
    wait "$e2e_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "gofmt, go vet"
unformatted=$(gofmt -l .)
[ -z "$unformatted" ] || { echo "workloads: not gofmt-ed: $unformatted" >&2; exit 1; }
go vet ./...
go vet -tags rie ./e2e

step "unit tests"
go test -count=1 ./...

step "release build (linux/arm64), SHA-256"
sh scripts/build.sh

step "reproducibility"
sh scripts/repro-test.sh

step "Lambda Runtime Interface Emulator"
# The RIE is a tool dependency in go.mod: its version and checksums are pinned there.
go build -o .cache/bin/aws-lambda-rie github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie
# The arm64 release binary cannot execute on an amd64 machine: build the same source with the
# same flags for the host's architecture.
sh scripts/build.sh -a "$(go env GOHOSTARCH)" -o .cache/host >&2
go test -c -tags rie -o .cache/e2e.test ./e2e
GOFN_RIE="$PWD/.cache/bin/aws-lambda-rie" GOFN_MOTO="$(cd "$(dirname "$moto")" && pwd)/moto_server" \
  GOFN_BOOTSTRAPS="$PWD/.cache/host" .cache/e2e.test -test.count=1 -test.timeout=120s -test.v &
e2e_pid=$!
wait "$e2e_pid"
e2e_pid=""

printf '\nworkloads: all tests passed in %ss\n' "$(( $(date +%s) - started ))" >&2
