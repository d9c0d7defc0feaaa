"""Every test run keeps the default change journal (``Journal.default``) in a temporary
data directory, never in the user's own (``$PRORATA_DATA_DIR``, inherited by subprocesses)."""

from __future__ import annotations

import os
import tempfile

import pytest

from prorata.journal import DATA_DIR_ENV


def pytest_configure(config: pytest.Config) -> None:
    del config
    if DATA_DIR_ENV not in os.environ:
        os.environ[DATA_DIR_ENV] = tempfile.mkdtemp(prefix="prorata-data-")
