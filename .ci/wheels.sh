#!/usr/bin/env bash
# Run by .ci/run: build every distribution's wheel, install the wheels (nothing from the
# workspace) into a fresh virtual environment, and run what a newcomer runs from an index:
# `prorata demo`, `prorata providers`, and a plugin's contract suite (the Stripe adapter on
# the Stripe emulator) from a directory outside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."

work="$(mktemp -d /tmp/prorata-wheels.XXXXXX)"
uv build --all-packages --wheel --out-dir "$work/dist" --quiet
ls "$work/dist"
uv venv --quiet "$work/venv"
uv pip install --quiet --python "$work/venv/bin/python" "$work"/dist/*.whl
# the repository must not be importable from the venv: every import comes from a wheel
"$work/venv/bin/python" - <<'PY'
import prorata, prorata_contract, prorata_dodo, prorata_emulators, prorata_stripe
for module in (prorata, prorata_contract, prorata_dodo, prorata_emulators, prorata_stripe):
    assert "site-packages" in (module.__file__ or ""), module.__file__
PY

mkdir "$work/run"
cp adapters/stripe/tests/conftest.py adapters/stripe/tests/test_contract.py "$work/run/"
(
    cd "$work/run"
    "$work/venv/bin/prorata" demo >/dev/null
    "$work/venv/bin/prorata" providers --json >/dev/null
    "$work/venv/bin/python" -m pytest -q -p no:cacheprovider test_contract.py
)
rm -rf "$work"
