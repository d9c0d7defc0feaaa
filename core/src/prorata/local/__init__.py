"""The built-in local provider: a real billing engine on SQLite (see ``LocalProvider``)."""
