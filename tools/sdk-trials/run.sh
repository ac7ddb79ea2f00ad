#!/usr/bin/env bash
# Points two real WhatsApp SDKs at the sandbox, with only their base URL changed, and checks that
# every ordinary call works and every webhook parses: pywa (PyPI) and whatsapp-api-js (npm).
#
#   tools/sdk-trials/run.sh            # needs python3, node, npm, and the PyPI and npm registries
#
# It installs the SDK versions below into target/sdk-trials/, builds and starts
# `wacart serve --demo` on a fresh database, runs each SDK's webhook receiver, drives a
# conversation (the customer through the sandbox API, the business through the SDK), and prints
# one line per step: PASS or FAIL. It exits 1 if any step failed.
set -euo pipefail

PYWA_VERSION=4.5.0
WAJS_VERSION=6.3.0
PORT=${PORT:-18190}
HOOK_PORT=${HOOK_PORT:-19190}

root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/tools/sdk-trials"
work="$root/target/sdk-trials"
mkdir -p "$work"
cd "$work"

if [ ! -x venv/bin/python ] || ! venv/bin/python -c "import pywa; assert pywa.__version__ == '$PYWA_VERSION'" 2>/dev/null; then
  python3 -m venv venv
  venv/bin/pip install --quiet "pywa[server]==$PYWA_VERSION"
fi
if [ ! -d node/node_modules/whatsapp-api-js ]; then
  mkdir -p node
  (cd node && npm install --silent --no-audit --no-fund "whatsapp-api-js@$WAJS_VERSION" >/dev/null)
fi
cp "$here/pywa_trial.py" "$here/wajs_trial.mjs" .

(cd "$root" && cargo build --release -q -p wacart-server)
rm -f sdk.db sdk.db-* && rm -rf sdk.db.media
"$root/target/release/wacart" serve --demo --db sdk.db --listen "127.0.0.1:$PORT" \
  --webhook-url "http://127.0.0.1:$HOOK_PORT/" >serve.log 2>&1 &
pids=($!)
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/sandbox/customers/15551230001" >/dev/null && break; sleep 0.1; done

S="http://127.0.0.1:$PORT"
N=100000000000001
export BASE_URL=$S TOKEN=demo-token PHONE_ID=$N APP_SECRET=demo-app-secret \
  VERIFY_TOKEN=demo-verify-token WEBHOOK_PORT=$HOOK_PORT CATALOG_ID=300000000000001
failed=0
check() { # NAME, then a command whose output must hold PATTERN ($PATTERN)
  local name=$1; shift
  out=$("$@" 2>&1 || true)
  if grep -q "$PATTERN" <<<"$out"; then echo "PASS $name"; else
    echo "FAIL $name"; echo "$out" | tail -3 | cut -c1-300; failed=1; fi
}
customer() { curl -fs -X "$1" "$S/sandbox/customers/$2" -H 'content-type: application/json' -d "$3"; }
id_of() { python3 -c 'import sys, json; print(json.load(sys.stdin)["id"])'; }
# The number of webhooks the receiver parsed of a kind (pywa: "kind": "X"; whatsapp-api-js: "kind":"x").
parsed() { grep -c "\"kind\": *\"$1\"" "$2" || true; }

trial() { # SDK (pywa|wajs), customer, how to run an action
  local sdk=$1 who=$2; shift 2
  local log="$work/$sdk-hooks.log"
  "$@" serve >"$log" 2>&1 &
  pids+=($!)
  sleep 3
  local hello; hello=$(customer POST "$who/messages" "{\"phone_number_id\":\"$N\",\"text\":\"hi from $sdk\"}" | id_of)
  export TO=$who
  PATTERN='"ok": *true'
  check "$sdk mark as read" "$@" mark_read "$hello"
  check "$sdk typing indicator" "$@" typing "$hello"
  check "$sdk send text" "$@" send_text "Hello!"
  check "$sdk reply buttons" "$@" send_buttons
  check "$sdk list" "$@" send_list
  check "$sdk single-product message" "$@" send_product "$CATALOG_ID" pear-1kg
  check "$sdk multi-product message" "$@" send_products "$CATALOG_ID" pear-1kg kale
  check "$sdk catalog message" "$@" send_catalog
  check "$sdk reply quoting" "$@" reply "$hello" "Thanks!"
  check "$sdk reaction" "$@" react "$hello" "👍"
  check "$sdk phone number node" "$@" phone_info
  local up; up=$("$@" upload_media "$here/../../crates/server/assets/customer-photo.png" image/png 2>&1 | grep '"event": *"result"' || true)
  PATTERN='"ok": *true'; check "$sdk upload media" echo "$up"
  local media; media=$(python3 -c 'import sys, json; print(json.loads(sys.argv[1])["result"]["id"])' "$up" 2>/dev/null || echo none)
  check "$sdk media url" "$@" get_media_url "$media"
  check "$sdk send image by id" "$@" send_image_by_id "$media"
  check "$sdk delete media" "$@" delete_media "$media"
  PATTERN='not a valid whatsapp business account media attachment ID'
  check "$sdk deleted media is refused" "$@" send_image_by_id "$media"
  # The customer taps, picks, orders, sends a photo.
  customer POST "$who/messages" "{\"phone_number_id\":\"$N\",\"image\":{\"caption\":\"this?\"}}" >/dev/null
  customer PUT "$who/devices/phone/carts/$N/items/kale" '{"quantity":2}' >/dev/null
  customer POST "$who/devices/phone/carts/$N/send" '{"text":"asap"}' >/dev/null
  sleep 2.5
  PATTERN='[1-9]'
  check "$sdk parsed inbound messages and the order" parsed "[Mm]essage" "$log"
  check "$sdk parsed statuses" parsed "\(MessageStatus\|status\)" "$log"
  PATTERN='^0$'
  check "$sdk no webhook failed to parse" bash -c "grep -c 'pywa_log\|\"event\": *\"error\"' '$log' || true"
  kill "${pids[-1]}" 2>/dev/null || true
  sleep 0.5
}

API_VERSION=23.0 trial pywa 15551230001 venv/bin/python pywa_trial.py
API_VERSION=v23.0 trial wajs 15551230001 node wajs_trial.mjs

# A customer with a username: the business knows only the BSUID and answers through `recipient`.
customer PUT 15551230002 '{"username":"bob.buys"}' >/dev/null
API_VERSION=23.0 venv/bin/python pywa_trial.py serve >"$work/pywa-bsuid.log" 2>&1 &
pids+=($!)
sleep 3
customer POST 15551230002/messages "{\"phone_number_id\":\"$N\",\"text\":\"hi, it's bob\"}" >/dev/null
sleep 1.5
bsuid=$(grep -o '"bsuid": "[A-Z][A-Z]\.[0-9]*", "wa_id": null' "$work/pywa-bsuid.log" | head -1 | cut -d'"' -f4)
PATTERN='"user_id": *"[A-Z][A-Z]\.'
check "pywa sends to a BSUID (recipient)" env TO="$bsuid" API_VERSION=23.0 venv/bin/python pywa_trial.py send_text "Hi Bob"
check "whatsapp-api-js sends to a BSUID" env TO="$bsuid" API_VERSION=v23.0 node wajs_trial.mjs send_text "Hi Bob"

exit $failed
