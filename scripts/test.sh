#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run the whole test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The slowest tests are listed at the end: the suite is to stay within about 15 minutes.
exec .venv/bin/python -m pytest -q -p no:cacheprovider --durations=15 "$@"
