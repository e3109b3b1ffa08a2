#!/usr/bin/env bash
# Set up everything certorder needs on a Debian machine: system packages, a virtualenv
# with the project installed, and a running PostgreSQL for the store tests.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Real CA servers for the plugin tests (pebble: ACME, golang-cfssl: CFSSL) and the
# headers python-ldap needs (the official dogtag-pki client depends on it), jq (a
# documented command pipes JSON through it; the docs test runs it), docker-compose
# (validates docker/compose.yaml offline: no Docker engine runs here), and headless
# Chromium (renders the Temporal UI in tests/codec/test_encrypted_order_in_ui.py).
SYSTEM_PACKAGES=(pebble golang-cfssl libldap2-dev libsasl2-dev openssl jq docker-compose
                 chromium-headless-shell)

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" = "install ok installed" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else SUDO=none; fi
  if [ "$SUDO" = none ]; then
    echo "setup: not root and no sudo; install these yourself: ${missing[*]}" >&2
  else
    echo "setup: installing ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# pip's own chatter goes to a log, shown only when something fails.
PIP_LOG=$(mktemp)
if ! { .venv/bin/python -m pip install -q --upgrade pip &&
       .venv/bin/python -m pip install -q -e '.[dev,test]'; } >"$PIP_LOG" 2>&1; then
  cat "$PIP_LOG" >&2; rm -f "$PIP_LOG"; echo "setup: pip install failed" >&2; exit 1
fi
rm -f "$PIP_LOG"

# PostgreSQL: the store is tested on it too. Start the local cluster if it is down.
if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
fi
