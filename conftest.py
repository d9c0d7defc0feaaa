"""Every test run keeps the default change journal (``Journal.default``) in a temporary
data directory, never in the user's own (``$PRORATA_DATA_DIR``, inherited by subprocesses)."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from prorata.journal import DATA_DIR_ENV

_made: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    del config
    if DATA_DIR_ENV not in os.environ:
        _made.append(tempfile.mkdtemp(prefix="prorata-data-"))
        os.environ[DATA_DIR_ENV] = _made[-1]


def pytest_unconfigure(config: pytest.Config) -> None:
    del config
    for folder in _made:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop(DATA_DIR_ENV, None)
