#!/bin/sh
# How long the certorder commands that need no server take to answer, from the
# repository root: `sh bench/cli_start_up.sh [RUNS]` (needs hyperfine and openssl).
# Figures: docs/performance.md, "CLI start-up".
set -eu
C="$PWD/.venv/bin/certorder"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"  # no ./certorder.toml, and the data directory of its own
export XDG_DATA_HOME="$WORK/data"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem \
  -out cert.pem -subj /CN=start-up.test -days 1 2>/dev/null
uptime
hyperfine -N -i --warmup 2 --runs "${1:-15}" --prepare "rm -f $WORK/kek" \
  "$C --help" "$C order submit --help" "$C cert revoke --help" "$C --version" \
  "$C completion bash" "$C cert inspect cert.pem" "$C key new-kek $WORK/kek" \
  "$C order submit --bogus"
uptime
