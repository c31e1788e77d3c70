#!/bin/sh
# Builds every function in cmd/ into <out>/<function>/bootstrap for the provided.al2023
# runtime on arm64 (Graviton), byte for byte the same on every machine, and prints
# "sha256  path" for each.
#
#   sh workloads/scripts/build.sh                 -> workloads/dist/<function>/bootstrap
#   sh workloads/scripts/build.sh -o DIR          -> DIR/<function>/bootstrap
#   sh workloads/scripts/build.sh -a amd64        -> same flags, another GOARCH (local tests)
#
# What makes the bytes reproducible (README.md explains each):
#   GOTOOLCHAIN = the toolchain line of go.mod   same compiler and standard library
#   CGO_ENABLED=0                                no C toolchain or libc in the binary
#   -trimpath                                    no machine paths (checkout, module cache)
#   -buildvcs=false                              no git revision or dirty flag
#   -ldflags="-s -w -buildid="                   no symbol table, DWARF or build ID
#   -tags lambda.norpc                           no net/rpc (go1.x runtime) code
#   GOFLAGS, GOEXPERIMENT, GOARM64, GOAMD64      fixed, so the caller's environment cannot leak in
#   go.sum                                       the exact dependency sources (-mod=readonly)
set -eu

usage() { echo "usage: $0 [-o OUTDIR] [-a GOARCH]" >&2; exit 2; }

caller=$(pwd)
out=""
arch=arm64
while getopts o:a:h opt; do
  case $opt in
    o) out=$OPTARG ;;
    a) arch=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage

cd "$(dirname "$0")/.."
module=$(pwd)
case $out in
  "") out="$module/dist" ;;
  /*) ;;
  *) out="$caller/$out" ;;
esac

# Exactly the Go that go.mod pins. The go command uses the local installation when it is that
# version and downloads it from the module proxy otherwise; a newer local Go would compile
# fine, but to different bytes.
toolchain=$(sed -n 's/^toolchain //p' go.mod)
[ -n "$toolchain" ] || { echo "build.sh: go.mod has no toolchain line" >&2; exit 1; }
export GOTOOLCHAIN="$toolchain"
export GOOS=linux GOARCH="$arch" CGO_ENABLED=0
export GOFLAGS=-mod=readonly GOEXPERIMENT="" GOARM64=v8.0 GOAMD64=v1
echo "build.sh: $(go version) for $GOOS/$GOARCH" >&2

for dir in cmd/*/; do
  fn=$(basename "$dir")
  rm -rf "${out:?}/$fn"
  mkdir -p "$out/$fn"
  go build -trimpath -buildvcs=false -tags lambda.norpc -ldflags="-s -w -buildid=" \
    -o "$out/$fn/bootstrap" "./cmd/$fn"
done

# Paths are printed relative to the caller's directory when the output is below it.
for dir in cmd/*/; do
  fn=$(basename "$dir")
  sum=$(sha256sum "$out/$fn/bootstrap" | cut -d' ' -f1)
  printf '%s  %s\n' "$sum" "${out#"$caller"/}/$fn/bootstrap"
done
