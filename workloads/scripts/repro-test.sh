#!/bin/sh
# Reproducibility test: copies the module to two different absolute paths, builds every
# function in each with scripts/build.sh, prints the checksums and fails unless both builds
# are byte for byte the same.
#
# REPRO_FRESH_CACHE=1 builds the second copy with an empty GOCACHE too, proving the bytes do
# not depend on what the build cache holds (a full rebuild: about a minute more on 2 cores).
set -eu
cd "$(dirname "$0")/.."

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gofn-repro.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# Two paths of different lengths and depths: a leaked path would change the binary's size.
a="$tmp/a/workloads"
b="$tmp/bb/some/deeper/checkout/workloads"
for dir in "$a" "$b"; do
  mkdir -p "$dir"
  tar -cf - --exclude=./dist --exclude=./.cache . | (cd "$dir" && tar -xf -)
done

sh "$a/scripts/build.sh" -o "$tmp/out-a" >"$tmp/sums-a"
if [ "${REPRO_FRESH_CACHE:-0}" = 1 ]; then
  GOCACHE="$tmp/gocache" sh "$b/scripts/build.sh" -o "$tmp/out-b" >"$tmp/sums-b"
  chmod -R u+w "$tmp/gocache"
else
  sh "$b/scripts/build.sh" -o "$tmp/out-b" >"$tmp/sums-b"
fi

# Compare by function name: the printed paths differ by design.
failed=0
for bin in "$tmp"/out-a/*/bootstrap; do
  fn=$(basename "$(dirname "$bin")")
  sa=$(sha256sum "$bin" | cut -d' ' -f1)
  sb=$(sha256sum "$tmp/out-b/$fn/bootstrap" 2>/dev/null | cut -d' ' -f1 || true)
  if [ "$sa" = "$sb" ]; then
    printf 'repro: ok    %s  %s (built twice, from two paths)\n' "$sa" "$fn/bootstrap"
  else
    printf 'repro: FAIL  %s/bootstrap: %s from %s, %s from %s\n' "$fn" "$sa" "$a" "${sb:-missing}" "$b"
    failed=1
  fi
done
[ "$failed" = 0 ] || { echo "repro: builds differ" >&2; exit 1; }
