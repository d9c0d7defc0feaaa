"""Where the journal lives when the configuration names none: a SQLite file in the user's
data directory, shared by every configuration of that user (records are kept apart per
provider account, see ``prorata._account``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

__all__ = ["DATA_DIR_ENV", "default_journal_path"]

DATA_DIR_ENV = "PRORATA_DATA_DIR"
"""Overrides the data directory (containers, tests): the journal is ``$PRORATA_DATA_DIR/journal.sqlite3``."""

FILE_NAME = "journal.sqlite3"


def _data_home(environ: Mapping[str, str]) -> Path:
    """The platform's per-user data directory (what ``platformdirs.user_data_dir`` picks)."""
    home = Path(environ.get("HOME") or Path.home())
    if sys.platform == "win32":
        return Path(environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    if sys.platform == "darwin":
        return home / "Library" / "Application Support"
    return Path(environ.get("XDG_DATA_HOME") or home / ".local" / "share")


def default_journal_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$PRORATA_DATA_DIR/journal.sqlite3``, else ``<user data dir>/prorata/journal.sqlite3``
    (``~/.local/share/prorata/journal.sqlite3`` on Linux). The path is not created here."""
    env = os.environ if environ is None else environ
    override = env.get(DATA_DIR_ENV)
    folder = Path(override) if override else _data_home(env) / "prorata"
    return folder / FILE_NAME
