"""The in-repo adapters register exactly as a third-party plugin would: through entry points."""

from __future__ import annotations

import prorata


def test_every_in_repo_provider_is_registered_by_its_own_distribution() -> None:
    registry = prorata.provider.get_registry(prorata.provider.get_plugin_manager())
    assert registry.broken == {}
    found = {name: spec.distribution for name, spec in registry.providers.items()}
    assert found == {"local": "prorata", "stripe": "prorata-stripe", "dodo": "prorata-dodo"}
    assert sorted(registry.emulators) == ["dodo", "stripe"]


def test_turning_autoload_off_leaves_only_the_built_in_provider() -> None:
    registry = prorata.provider.get_registry(prorata.provider.get_plugin_manager(autoload=False))
    assert list(registry.providers) == ["local"]
    assert registry.emulators == {}


def test_listing_the_providers_imports_no_sdk() -> None:
    """`prorata providers` loads every plugin, and neither stripe nor dodopayments."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from prorata.cli import main\n"
        "result = CliRunner().invoke(main, ['providers', '--json'])\n"
        "assert result.exit_code == 0, result.output\n"
        "assert 'stripe' in result.stdout and 'dodo' in result.stdout\n"
        "print(sorted(m for m in ('stripe', 'dodopayments') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
