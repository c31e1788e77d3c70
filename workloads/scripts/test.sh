#!/bin/sh
# The Go workloads' test suite, as the root scripts/test.sh (npm test) runs it:
#   1. gofmt and go vet, then gofn's own analyzers (lint/, the Go-on-Lambda footguns) as a vet tool
#   2. go test ./...                  unit tests, handlers against fakes; the secrets and profiling
#                                     packages against SSM, Secrets Manager and S3 in the AWS emulator (moto)
#   3. scripts/build.sh               the arm64 release build; prints the checksums
#   4. scripts/repro-test.sh          the same build from two other paths must match
#   5. e2e (go test -tags rie)        each bootstrap under the Lambda Runtime Interface
#                                     Emulator, against DynamoDB in the AWS emulator (moto):
#                                     dist/ itself on a linux/arm64 host, elsewhere the same
#                                     source and flags built for the host (arm64 cannot run)
# Needs the Python tools (scripts/setup.sh all puts moto in .venv). Safe to run twice: every
# port is picked free, and the trap stops what the run started.
set -eu
cd "$(dirname "$0")/.."
started=$(date +%s)
step() { printf '\n-- workloads: %s (at %ss)\n' "$*" "$(( $(date +%s) - started ))" >&2; }

moto=../.venv/bin/moto_server
[ -x "$moto" ] || { echo "workloads: $moto is missing; run: sh scripts/setup.sh all" >&2; exit 1; }
# The unit tests of internal/secrets and internal/profiling, and the e2e tests, start their own
# emulator from it.
GOFN_MOTO="$(cd "$(dirname "$moto")" && pwd)/moto_server"
export GOFN_MOTO

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

step "gofnlint (lint/: the Go-on-Lambda footguns; docs/lint.md)"
go build -o .cache/bin/gofnlint ./lint/cmd/gofnlint
go vet -vettool="$PWD/.cache/bin/gofnlint" ./...
go vet -vettool="$PWD/.cache/bin/gofnlint" -tags rie ./e2e

step "unit tests"
go test -count=1 ./...

step "release build (linux/arm64), SHA-256"
sh scripts/build.sh

step "reproducibility"
sh scripts/repro-test.sh

step "Lambda Runtime Interface Emulator"
# The RIE is a tool dependency in go.mod: its version and checksums are pinned there.
go build -o .cache/bin/aws-lambda-rie github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie
# Which binaries the e2e runs. On a linux/arm64 host, the shipped ones: dist/, the release build
# of step 3. Anywhere else the arm64 binaries cannot execute (not without an emulator, which
# needs root to register and is not used here), so the e2e runs the same source built with the
# same flags for the host's architecture, and says so.
hostos=$(go env GOHOSTOS) hostarch=$(go env GOHOSTARCH)
if [ "$hostos/$hostarch" = linux/arm64 ]; then
  bootstraps="$PWD/dist"
  echo "workloads: e2e runs the shipped linux/arm64 binaries in dist/ (this host is linux/arm64)" >&2
else
  sh scripts/build.sh -a "$hostarch" -o .cache/host >/dev/null
  bootstraps="$PWD/.cache/host"
  echo "workloads: this host is $hostos/$hostarch, where the shipped linux/arm64 binaries cannot run:" \
    "e2e runs the same source built with the same flags for linux/$hostarch (.cache/host), not dist/" >&2
fi
for bin in "$bootstraps"/*/bootstrap; do
  echo "workloads: e2e runs $(sha256sum "$bin" | cut -d' ' -f1)  ${bin#"$PWD"/}" >&2
done
go test -c -tags rie -o .cache/e2e.test ./e2e
GOFN_RIE="$PWD/.cache/bin/aws-lambda-rie" \
  GOFN_BOOTSTRAPS="$bootstraps" .cache/e2e.test -test.count=1 -test.timeout=120s -test.v &
e2e_pid=$!
wait "$e2e_pid"
e2e_pid=""

printf '\nworkloads: all tests passed in %ss\n' "$(( $(date +%s) - started ))" >&2
