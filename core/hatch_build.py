"""The ``prorata`` distribution's long description is the repository's root README.

In the workspace the README sits one folder up; an sdist carries it as ``README.md`` (the
``force-include`` in pyproject.toml), so a wheel built from either gets the same text and
nobody keeps a copy in step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.metadata.plugin.interface import MetadataHookInterface


class RootReadme(MetadataHookInterface):
    PLUGIN_NAME = "custom"

    def update(self, metadata: dict[str, Any]) -> None:
        root = Path(self.root)
        readme = root / "README.md"
        if not readme.is_file():
            readme = root.parent / "README.md"
        metadata["readme"] = {"content-type": "text/markdown", "text": readme.read_text(encoding="utf-8")}
