#!/usr/bin/env bash
# Builds the single nomad-ts binary with `deno compile`: the CLI, the agent, the drivers and the
# web UI assets in one file, with the same permissions as `deno task nomad`.
#
# deno compile needs Deno's runtime (denort) for the target. It downloads it from dl.deno.land
# unless DENORT_BIN points at a denort binary of the same Deno version (2.9.6). Where neither
# works, this script stops with a one-line message.
set -euo pipefail
cd "$(dirname "$0")"

DENO=${DENO:-}
if [ -z "$DENO" ]; then
  if command -v deno >/dev/null 2>&1 && deno --version | grep -q '^deno 2\.9\.6'; then DENO=deno
  else DENO="npx -y deno@2.9.6"; fi
fi
OUT=${1:-nomad-ts}

# The permissions of the binary: the same flags as the `nomad` task of deno.json.
PERMS=$(sed -n 's/.*"nomad": "deno run \(.*\) main.ts".*/\1/p' deno.json)
if [ -z "$PERMS" ]; then echo "compile.sh: cannot read the nomad task's permissions from deno.json" >&2; exit 1; fi

mkdir -p .build
if git rev-parse HEAD >.build/revision 2>/dev/null; then :; else echo unknown >.build/revision; fi

# The web UI: bundled into ui/dist/ (skipped when up to date), then embedded with --include.
# shellcheck disable=SC2086
if ! $DENO run --allow-read --allow-write --allow-run --allow-env ui/build.ts; then
  echo "compile.sh: the web UI did not build (see above); fix it, or run: deno run -A ui/build.ts" >&2
  exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# shellcheck disable=SC2086
if ! $DENO compile $PERMS --include .build/revision --include ui/dist --output "$OUT" main.ts >"$log" 2>&1; then
  if grep -q -E 'dl\.deno\.land|dns error|Download|denort' "$log"; then
    echo "compile.sh: deno compile could not get its runtime (denort 2.9.6) from dl.deno.land; set DENORT_BIN to a local denort binary and run again" >&2
  else
    grep -v 'Unknown user config' "$log" >&2
  fi
  exit 1
fi
echo "compile.sh: wrote ./$OUT"
