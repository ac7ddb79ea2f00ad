#!/usr/bin/env bash
# Runs Schemathesis (PyPI) with every check against `wacart serve --demo` and docs/openapi.json:
# no schema-valid request may be refused and no schema-invalid one accepted.
#
#   tools/schemathesis.sh [EXAMPLES]      # EXAMPLES per operation, 100 by default
#
# It installs the pinned Schemathesis into target/schemathesis/, builds the release binary,
# serves the demo business on a fresh database, and runs `st` with the ids seeded by
# schemathesis.toml. Exit status: Schemathesis's.
set -euo pipefail
VERSION=4.32.5
EXAMPLES=${1:-100}
PORT=${PORT:-18180}
root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/target/schemathesis"
mkdir -p "$work"
if ! "$work/venv/bin/st" --version 2>/dev/null | grep -q "$VERSION"; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet "schemathesis==$VERSION"
fi
(cd "$root" && cargo build --release -q -p wacart-server)
rm -rf "$work/st.db" "$work"/st.db-* "$work/st.db.media"
"$root/target/release/wacart" serve --demo --db "$work/st.db" --listen "127.0.0.1:$PORT" >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/sandbox/customers/15551230001" >/dev/null && break; sleep 0.1; done
cd "$root"
"$work/venv/bin/st" run docs/openapi.json -u "http://127.0.0.1:$PORT" -c all -n "$EXAMPLES" --workers 2 \
  -H 'Authorization: Bearer demo-token' -H 'D360-API-KEY: demo-360-key' -H 'api-key: demo-kaleyra-key'
