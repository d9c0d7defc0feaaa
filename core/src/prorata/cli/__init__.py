"""The `prorata` command line: init, providers, plans, subscribe, preview, apply, invoices, migrate, advance, listen, emulate, demo."""

from prorata.cli._advance_cmd import advance
from prorata.cli._app import main
from prorata.cli._catalog_cmds import plans, providers
from prorata.cli._change_cmds import apply, preview
from prorata.cli._demo_command import demo
from prorata.cli._emulate import emulate
from prorata.cli._init_cmd import init
from prorata.cli._lifecycle_cmds import cancel, invoices, subscribe
from prorata.cli._listen_cmd import listen
from prorata.cli._migrate_cmd import migrate
from prorata.cli._pending_cmds import cancel_scheduled, resume
from prorata.cli._subscription_cmds import subscriptions

for _command in (
    init,
    providers,
    plans,
    subscribe,
    subscriptions,
    preview,
    apply,
    invoices,
    cancel,
    resume,
    cancel_scheduled,
    migrate,
    advance,
    listen,
    emulate,
    demo,
):
    main.add_command(_command)

__all__ = ["main"]
