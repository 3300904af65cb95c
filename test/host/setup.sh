#!/usr/bin/env bash
# Installs what test/host/runVsCode.mjs needs to run the extension in a real VS Code:
#   - Debian packages: chromium (the headless browser that opens the workbench),
#     libkrb5-dev (gssapi.h, for the 'kerberos' native module code-server compiles) and tmux (the
#     tmux source's tests run a real tmux server);
#   - node 24 (test/host/install-node24.sh), which code-server requires;
#   - code-server (a VS Code build that runs from npm), built against node 24;
#   - playwright-core (drives the Debian chromium; no browser download).
# Everything but the apt packages goes into the tools folder:
#   CLAUDE_QUOTA_TOOLS  (default: <repo>/.vscode-test/tools, gitignored)
# Idempotent: once installed, a run only checks versions (well under a second).
# The npm steps log to $TOOLS/setup.log; on failure the tail of that log is printed.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="${CLAUDE_QUOTA_TOOLS:-$repo/.vscode-test/tools}"
CODE_SERVER_VERSION="${CLAUDE_QUOTA_CODE_SERVER_VERSION:-4.139.1}"   # VS Code 1.139.1
PLAYWRIGHT_CORE_VERSION="${CLAUDE_QUOTA_PLAYWRIGHT_CORE_VERSION:-1.65.1}"

mkdir -p "$TOOLS"
LOG="$TOOLS/setup.log"
say() { printf '[host setup] %s\n' "$*"; }
fail() {
  say "FAILED: $*"
  if [ -s "$LOG" ]; then
    say "last lines of $LOG:"
    tail -n 40 "$LOG" | sed 's/^/  | /'
  fi
  exit 1
}
started=$(date +%s)
: >"$LOG"

# 1. Debian packages.
need_apt=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -e /usr/include/gssapi/gssapi.h ] || need_apt+=(libkrb5-dev)
# The tmux source's tests run a real tmux server.
command -v tmux >/dev/null 2>&1 || need_apt+=(tmux)
if [ ${#need_apt[@]} -gt 0 ]; then
  say "apt-get install ${need_apt[*]}"
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || fail "need root (or sudo) to apt-get install ${need_apt[*]}"
    sudo="sudo"
  fi
  $sudo apt-get update -qq >>"$LOG" 2>&1 || fail "apt-get update"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}" \
    >>"$LOG" 2>&1 || fail "apt-get install ${need_apt[*]}"
fi
for tool in python3 make g++; do
  command -v "$tool" >/dev/null 2>&1 || fail "missing $tool (node-gyp needs it to build code-server's native modules)"
done

# 2. Node 24.
NODE24="$(bash "$repo/test/host/install-node24.sh" 2>>"$LOG")" || fail "node 24 install (test/host/install-node24.sh)"
NODE24_DIR="$(cd "$(dirname "$NODE24")/.." && pwd)"
[ -x "$NODE24" ] || fail "node 24 not found at $NODE24"

# 3. code-server. Its postinstall runs 'npm install' inside lib/vscode and compiles native
#    modules with node-gyp, so node 24 must be first on PATH and npm_config_nodedir must point
#    at node 24's headers (an npmrc may point node-gyp at the system node's headers instead).
CS_DIR="$TOOLS/code-server"
CS_MARK="$CS_DIR/.installed-$CODE_SERVER_VERSION-$("$NODE24" -v)"
if [ ! -e "$CS_MARK" ]; then
  say "npm install code-server@$CODE_SERVER_VERSION (builds native modules; about 3 minutes on 2 cores)"
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  PATH="$NODE24_DIR/bin:$PATH" npm_config_nodedir="$NODE24_DIR" JOBS=max \
    npm install --prefix "$CS_DIR" --no-audit --no-fund --no-save --foreground-scripts \
    "code-server@$CODE_SERVER_VERSION" >>"$LOG" 2>&1 || fail "npm install code-server@$CODE_SERVER_VERSION"
  [ -e "$CS_DIR/node_modules/code-server/out/node/entry.js" ] || fail "code-server entry point missing after install"
  touch "$CS_MARK"
fi

# 4. playwright-core.
PW_DIR="$TOOLS/playwright"
pw_version="$(node -p "require('$PW_DIR/node_modules/playwright-core/package.json').version" 2>/dev/null || true)"
if [ "$pw_version" != "$PLAYWRIGHT_CORE_VERSION" ]; then
  say "npm install playwright-core@$PLAYWRIGHT_CORE_VERSION"
  mkdir -p "$PW_DIR"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$PW_DIR" --no-audit --no-fund --no-save \
    --loglevel=error "playwright-core@$PLAYWRIGHT_CORE_VERSION" >>"$LOG" 2>&1 \
    || fail "npm install playwright-core@$PLAYWRIGHT_CORE_VERSION"
fi

cs_version="$("$NODE24" -p "require('$CS_DIR/node_modules/code-server/package.json').version")"
say "node $("$NODE24" -v), code-server $cs_version, $(chromium --version 2>/dev/null || echo 'chromium ?'), playwright-core $PLAYWRIGHT_CORE_VERSION"
say "ready in $(( $(date +%s) - started ))s (tools: $TOOLS)"
