#!/usr/bin/env bash
# Run by .ci/run: the tests once more on the dependency floors, i.e. the lowest version every
# pyproject allows of each direct dependency (`uv sync --resolution lowest-direct`), in a
# copy of the tree with its own environment so uv.lock and .venv stay as they are.
# Restricted to core and the contract suite (about two minutes on 2 cores) to keep CI under
# 20 minutes. stripe and dodopayments are installed at their floors too, but the adapters'
# own tests do not run here (known: on stripe 16.1.0, tests/test_secret_scan.py finds the
# key in pytest's traceback of the SDK's locals).
set -euo pipefail
cd "$(dirname "$0")/.."

copy="$(mktemp -d /tmp/prorata-floors.XXXXXX)"
tar -c --exclude=./.venv --exclude=./.git --exclude=./site --exclude=__pycache__ --exclude=.pytest_cache . \
    | tar -x -C "$copy"
(
    cd "$copy"
    uv sync --resolution lowest-direct --all-packages --quiet
    uv pip list 2>/dev/null | grep -iE '^(attrs|cattrs|click|pluggy|rich|standardwebhooks|pytest|hypothesis) '
    uv run --no-sync pytest -q -p no:randomly core/tests contract_tests/tests
)
rm -rf "$copy"
