"""prorata-dodo: the Dodo Payments adapter for prorata."""

from prorata_dodo._bootstrap import create_catalog_objects, create_discount_codes
from prorata_dodo._capabilities import CAPABILITIES
from prorata_dodo._clock import EmulatorClock
from prorata_dodo._modes import MODE_MAP
from prorata_dodo._provider import DodoProvider
from prorata_dodo._reconcile import Attempts

__all__ = [
    "CAPABILITIES",
    "MODE_MAP",
    "Attempts",
    "DodoProvider",
    "EmulatorClock",
    "create_catalog_objects",
    "create_discount_codes",
]
