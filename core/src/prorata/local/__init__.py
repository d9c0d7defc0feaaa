"""The built-in local provider: a real billing engine on SQLite with an injectable clock."""

from prorata.local._engine import DECLINING_PAYMENT_METHODS, LocalEngine
from prorata.local._provider import LOCAL_CAPABILITIES, LocalClock, LocalProvider

__all__ = ["DECLINING_PAYMENT_METHODS", "LOCAL_CAPABILITIES", "LocalClock", "LocalEngine", "LocalProvider"]
