#!/usr/bin/env bash
# Installs the pinned Claude Code CLI into the project's tool folder (gitignored) so recordings and
# end-to-end tests run against a known version. Idempotent; prints the path of the `claude`
# executable on stdout (everything else goes to stderr).
#
# How the package works: @anthropic-ai/claude-code ships bin/claude.exe as a small stub and lists
# one native package per platform as optionalDependencies (@anthropic-ai/claude-code-linux-x64
# carries the ~380 MB ELF `claude`). Its postinstall (install.cjs) hard-links, or copies, that
# binary over bin/claude.exe, so after a normal install bin/claude.exe IS the native CLI and no
# node process stays resident. When install scripts were skipped (npm --ignore-scripts, a
# user-level npmrc) the stub is left in place, so this script re-runs install.cjs itself and, as a
# last resort, points at the platform package's binary directly.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="${CLAUDE_QUOTA_TOOLS:-$repo/.vscode-test/tools}"
VERSION="2.1.330"
prefix="$TOOLS/claude-code"
pkg="$prefix/node_modules/@anthropic-ai/claude-code"
exe="$pkg/bin/claude.exe"

version_of() { "$1" --version 2>/dev/null | head -n1 | awk '{print $1}' || true; }

if [ "$(version_of "$exe")" != "$VERSION" ]; then
  # The CLI requires node >= 22; npm picks an older release (or refuses) under node 20.
  node24="$(bash "$repo/test/host/install-node24.sh")"
  node24_dir="$(dirname "$node24")"
  mkdir -p "$prefix"
  # npm's shebang is `env node`, so putting node 24 first makes the machine's npm run under it.
  PATH="$node24_dir:$PATH" npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error \
    --foreground-scripts=false --ignore-scripts=false "@anthropic-ai/claude-code@$VERSION" >&2
  if [ "$(version_of "$exe")" != "$VERSION" ]; then
    (cd "$pkg" && "$node24" install.cjs) >&2 || true
  fi
fi

if [ "$(version_of "$exe")" = "$VERSION" ]; then
  echo "$exe"
  exit 0
fi

# Fallback: the native binary of the platform package (x64/arm64, glibc or musl).
for native in "$prefix"/node_modules/@anthropic-ai/claude-code-linux-*/claude \
              "$prefix"/node_modules/@anthropic-ai/claude-code-darwin-*/claude; do
  if [ -x "$native" ] && [ "$(version_of "$native")" = "$VERSION" ]; then
    echo "$native"
    exit 0
  fi
done
echo "install-claude-code: could not find a working claude $VERSION under $prefix" >&2
exit 1
