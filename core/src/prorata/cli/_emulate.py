"""`prorata emulate NAME`: serve a provider API emulator until Ctrl-C."""

from __future__ import annotations

import json

import click

from prorata.cli._command import billing_command
from prorata.cli._state import Cli

__all__ = ["emulate"]


@billing_command("emulate", short_help="Serve a provider API emulator locally until Ctrl-C.")
@click.argument("name")
@click.option(
    "--port", type=click.IntRange(0, 65535), required=True, help="Port to listen on (0: any free port)."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
def emulate(cli: Cli, name: str, port: int, host: str) -> None:
    """Serve the emulator NAME (e.g. stripe, dodo) that a plugin registered.

    With --json the first line of stdout is {"emulator": NAME, "url": URL}.
    """
    spec = cli.registry().emulator(name)
    server = spec.start(host, port)
    try:
        if cli.json_output:
            # exactly one line, so a script can read it and go on (the server keeps running)
            cli.emit_text(json.dumps({"emulator": spec.name, "url": server.url}))
        else:
            cli.err_console.print(
                f"{spec.name} emulator listening on {server.url} (Ctrl-C to stop)", highlight=False
            )
        server.serve_forever()
    except KeyboardInterrupt:
        cli.err_console.print("stopped")
    finally:
        server.stop()
