"""The ``prorata`` command line: providers, plans, subscribe, preview, apply, invoices, advance, emulate, demo."""

from prorata.cli._app import main
from prorata.cli._catalog_cmds import plans, providers
from prorata.cli._change_cmds import apply, preview
from prorata.cli._demo_command import demo
from prorata.cli._emulate import emulate
from prorata.cli._lifecycle_cmds import advance, cancel, invoices, subscribe
from prorata.cli._subscription_cmds import subscriptions

for _command in (
    providers,
    plans,
    subscribe,
    subscriptions,
    preview,
    apply,
    invoices,
    cancel,
    advance,
    emulate,
    demo,
):
    main.add_command(_command)

__all__ = ["main"]
