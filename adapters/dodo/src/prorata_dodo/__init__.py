"""prorata-dodo: the Dodo Payments adapter for prorata.

The capabilities and mode table load with the package; the names that need the
``dodopayments`` SDK load on first use, so registering the plugin stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prorata.provider import lazy_attributes
from prorata_dodo._capabilities import CAPABILITIES
from prorata_dodo._clock import EmulatorClock
from prorata_dodo._modes import MODE_MAP

if TYPE_CHECKING:
    from prorata_dodo._bootstrap import create_catalog_objects, create_discount_codes
    from prorata_dodo._provider import DodoProvider
    from prorata_dodo._reconcile import Attempts

_LAZY = {
    "create_catalog_objects": "prorata_dodo._bootstrap",
    "create_discount_codes": "prorata_dodo._bootstrap",
    "DodoProvider": "prorata_dodo._provider",
    "Attempts": "prorata_dodo._reconcile",
}

__getattr__ = lazy_attributes(__name__, _LAZY)


__all__ = [
    "CAPABILITIES",
    "MODE_MAP",
    "Attempts",
    "DodoProvider",
    "EmulatorClock",
    "create_catalog_objects",
    "create_discount_codes",
]
