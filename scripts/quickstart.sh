#!/usr/bin/env bash
# The main job in one command: set up, start the local stack (Temporal dev server with
# its UI, and a worker) on the embedded defaults, order a first certificate from the
# local CA, verify it, and say where to look in the UI. The stack then keeps running
# until Ctrl-C (set CERTORDER_QUICKSTART_EXIT=1 to stop right after the check).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

CERTORDER=.venv/bin/certorder
DATA_DIR=$(.venv/bin/python -c 'from certorder.settings import load_settings; print(load_settings().data_dir)')
WORK="$DATA_DIR/quickstart"
mkdir -p "$WORK"

echo "==> starting the local stack (log: $WORK/dev.log)"
"$CERTORDER" dev >"$WORK/dev.log" 2>&1 &
DEV_PID=$!
stop_stack() { kill -TERM "$DEV_PID" 2>/dev/null || true; wait "$DEV_PID" 2>/dev/null || true; }
trap stop_stack EXIT

for _ in $(seq 1 120); do
  grep -q "worker running" "$WORK/dev.log" 2>/dev/null && break
  if ! kill -0 "$DEV_PID" 2>/dev/null; then
    echo "quickstart: the stack did not start:" >&2; tail -n 5 "$WORK/dev.log" >&2; exit 1
  fi
  sleep 0.5
done
grep -q "worker running" "$WORK/dev.log" || { echo "quickstart: the stack did not come up in 60 s" >&2; exit 1; }

ORDER_ID="quickstart-$(date +%Y%m%d-%H%M%S)"
echo "==> making a P-256 key and a CSR for quickstart.example.test"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
  -keyout "$WORK/$ORDER_ID.key" -out "$WORK/$ORDER_ID.csr" \
  -subj "/CN=quickstart.example.test" -addext "subjectAltName=DNS:quickstart.example.test" 2>/dev/null
chmod 600 "$WORK/$ORDER_ID.key"

echo "==> ordering a certificate from the local CA"
"$CERTORDER" order submit --csr "$WORK/$ORDER_ID.csr" --order-id "$ORDER_ID" --wait
"$CERTORDER" cert get "$ORDER_ID" --out "$WORK"
"$CERTORDER" ca list --json | .venv/bin/python -c '
import json, sys
roots = [ca for ca in json.load(sys.stdin) if ca["plugin_name"] == "local-ca" and not ca["parent_ca_id"]]
print(roots[0]["ca_signing_certificate"], end="")' >"$WORK/local-ca-root.pem"

echo "==> verifying the chain against the local CA root"
UNTRUSTED=()  # issued by the root itself, the chain is empty
[ -s "$WORK/$ORDER_ID.chain.crt" ] && UNTRUSTED=(-untrusted "$WORK/$ORDER_ID.chain.crt")
openssl verify -CAfile "$WORK/local-ca-root.pem" "${UNTRUSTED[@]}" "$WORK/$ORDER_ID.crt"

echo "==> an order that waits for a person's approval: show it, modify it, approve it"
"$CERTORDER" order submit --csr "$WORK/$ORDER_ID.csr" --order-id "$ORDER_ID-approved" --require-approval
"$CERTORDER" order modify "$ORDER_ID-approved" --meta contact=ops@example.com
# sed, not head: head exits after five lines, and under pipefail the writer's broken
# pipe (certorder exits 1) would fail the script, now and then.
"$CERTORDER" order show "$ORDER_ID-approved" | sed -n 1,5p
"$CERTORDER" order approve "$ORDER_ID-approved" --note "checked by the quickstart"
"$CERTORDER" order watch "$ORDER_ID-approved"
echo "==> and one canceled while it waits: nothing reaches the CA"
"$CERTORDER" order submit --csr "$WORK/$ORDER_ID.csr" --order-id "$ORDER_ID-canceled" --require-approval
"$CERTORDER" order cancel "$ORDER_ID-canceled" --reason "not needed"
"$CERTORDER" order watch "$ORDER_ID-canceled" || [ $? -eq 4 ]  # 4: ended canceled
CERT_NAME="quickstart-managed-$(date +%Y%m%d-%H%M%S)"
echo "==> issuing a managed certificate: the worker makes the key, deploys and renews it"
"$CERTORDER" cert issue "$CERT_NAME" --dns managed.quickstart.example.test \
  --deploy-dir "$WORK/$CERT_NAME" --wait
LIVE="$WORK/$CERT_NAME/current"
MANAGED_UNTRUSTED=()
[ -s "$LIVE/chain.pem" ] && MANAGED_UNTRUSTED=(-untrusted "$LIVE/chain.pem")
openssl verify -CAfile "$WORK/local-ca-root.pem" "${MANAGED_UNTRUSTED[@]}" "$LIVE/cert.pem"
if [ "$(openssl pkey -in "$LIVE/privkey.pem" -pubout)" != "$(openssl x509 -in "$LIVE/cert.pem" -noout -pubkey)" ]; then
  echo "quickstart: the deployed key does not match the deployed certificate" >&2; exit 1
fi

UI_PORT=$(.venv/bin/python -c 'from certorder.settings import load_settings; print(load_settings().dev_ui_port)')
cat <<DONE

Certificate issued and verified:  $WORK/$ORDER_ID.crt (key: $WORK/$ORDER_ID.key)
Managed certificate $CERT_NAME:  $LIVE/{privkey,cert,chain,fullchain}.pem
  (renewed automatically; see \`certorder cert list\`, \`certorder cert show $CERT_NAME\`)
Look at the order in the Temporal UI:
  http://localhost:$UI_PORT/namespaces/default/workflows/$ORDER_ID
  (its event history, the "Current details" panel, and the status query), and at all orders:
  http://localhost:$UI_PORT/namespaces/default/workflows?query=WorkflowType%3D%22CertificateOrderWorkflow%22
  and at the managed certificate (its current details, renewal timer, child orders):
  http://localhost:$UI_PORT/namespaces/default/workflows/certificate-$CERT_NAME
DONE

if [ "${CERTORDER_QUICKSTART_EXIT:-0}" = 1 ]; then exit 0; fi
echo "The stack keeps running; press Ctrl-C to stop it."
trap - EXIT
trap 'stop_stack; exit 0' INT TERM
wait "$DEV_PID"
