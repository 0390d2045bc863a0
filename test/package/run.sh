#!/usr/bin/env bash
# The package as users meet it: build, pack, install the tarball and vitest (from the registry)
# into a fresh temporary project, and run test/package/raft.test.ts there (the README's example).
# Run by .ci/run; takes well under a minute.
set -euo pipefail
cd "$(dirname "$0")/../.."
repository="$(pwd)"
project="$(mktemp -d "${TMPDIR:-/tmp}/raftcheck-package-XXXXXX")"
trap 'rm -rf "$project"' EXIT

npm run build --silent
tarball="$(npm pack --silent --pack-destination "$project")"
vitest_version="$(node -p "require('./package.json').devDependencies.vitest")"
cd "$project"
npm init -y >/dev/null
npm install --no-audit --no-fund "./$tarball" "vitest@$vitest_version"
cp "$repository/test/package/raft.test.ts" .
npx vitest run raft.test.ts
