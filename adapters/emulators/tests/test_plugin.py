"""The emulators register through this distribution's entry point; the adapters load none of them."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.request

import pytest

from prorata.provider import EmulatorSpec, get_registry
from prorata_emulators import plugin


def test_both_emulators_register_through_the_entry_point() -> None:
    registry = get_registry()
    assert registry.emulator("stripe").name == "stripe"
    assert registry.emulator("dodo").name == "dodo"


@pytest.mark.parametrize(("name", "path"), [("stripe", "/v1/customers"), ("dodo", "/_emulator/clock")])
def test_each_registered_emulator_starts_and_serves(name: str, path: str) -> None:
    specs: list[EmulatorSpec] = []
    plugin.prorata_register_emulators(specs.append)
    spec = {s.name: s for s in specs}[name]
    server = spec.start("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        request = urllib.request.Request(server.url + path, headers={"Authorization": "Bearer sk_test_x"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert isinstance(json.loads(response.read()), dict)
    finally:
        server.stop()


def test_registering_every_plugin_imports_no_emulator_code() -> None:
    script = (
        "import sys\nimport prorata.provider\n"
        "registry = prorata.provider.get_registry()\n"
        "assert {'stripe', 'dodo'} <= set(registry.providers), registry.providers\n"
        "assert {'stripe', 'dodo'} <= set(registry.emulators), registry.emulators\n"
        "print(sorted(m for m in sys.modules if m.startswith('prorata_emulators.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "['prorata_emulators.plugin']"


def test_production_adapters_ship_no_emulator_package() -> None:
    import prorata_dodo
    import prorata_stripe

    for package in (prorata_stripe, prorata_dodo):
        assert package.__file__ is not None
        with pytest.raises(ModuleNotFoundError):
            __import__(f"{package.__name__}.emulator")
