#!/usr/bin/env bash
# `npm start`: build the extension and open it in VS Code as the extension under development.
#   - With a `code` command and a display: code --extensionDevelopmentPath=<repo> (a normal
#     VS Code window, "[Extension Development Host]").
#   - Otherwise (a server, a container, CI): install code-server & co. (test/host/setup.sh) and
#     serve VS Code on 127.0.0.1 with the extension loaded; open the printed URL in a browser.
#     Runs until Ctrl-C. Extra arguments go to runVsCode.mjs (e.g. --port 8080 --workspace DIR).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"

# Install the dependencies on a fresh checkout, or when the lockfile (or, without one,
# package.json) changed since the last install; npm keeps node_modules/.package-lock.json.
installed=node_modules/.package-lock.json
if [ ! -f "$installed" ] \
   || { [ -f package-lock.json ] && [ package-lock.json -nt "$installed" ]; } \
   || { [ ! -f package-lock.json ] && [ package.json -nt "$installed" ]; }; then
  if [ -f package-lock.json ]; then
    npm ci --no-audit --no-fund
  else
    npm install --no-audit --no-fund
  fi
fi
npm run build

if command -v code >/dev/null 2>&1 && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ] || [ "$(uname -s)" = Darwin ]; }; then
  echo "Opening VS Code with the extension under development: $repo"
  exec code --extensionDevelopmentPath="$repo" "$@"
fi

echo "No 'code' command with a display here: serving VS Code (code-server) on 127.0.0.1 instead."
bash test/host/setup.sh
exec node test/host/runVsCode.mjs --serve --real-home --extension "$repo" "$@"
