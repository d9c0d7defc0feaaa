"""Figures for start-up: `import prorata` against `prorata providers --json`, in fresh processes.

Run: ``uv run python core/benchmarks/startup.py [--runs N]``. Listing the providers loads
every installed plugin but none of their SDKs (``stripe``, ``dodopayments`` load when a
provider is built), so it should cost about as much as importing prorata plus the CLI's
own click and rich. It prints figures and asserts nothing about time.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

PRORATA = str(Path(sys.executable).with_name("prorata"))

COMMANDS = {
    "python -c pass (the interpreter alone)": [sys.executable, "-c", "pass"],
    "import prorata": [sys.executable, "-c", "import prorata"],
    "prorata providers --json": [PRORATA, "providers", "--json"],
    "import prorata_stripe.StripeProvider (the stripe SDK)": [
        sys.executable,
        "-c",
        "import prorata_stripe, sys; prorata_stripe.StripeProvider; assert 'stripe' in sys.modules",
    ],
}


def _seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _sdks_loaded_by_providers() -> list[str]:
    probe = (
        "import sys; from prorata.cli import main\n"
        "try:\n    main(['providers', '--json'])\nexcept SystemExit:\n    pass\n"
        "print(','.join(m for m in ('stripe', 'dodopayments') if m in sys.modules), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    return [name for name in done.stderr.strip().split(",") if name]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    for label, command in COMMANDS.items():
        _seconds(command)  # warm the file cache
        samples = [_seconds(command) for _ in range(args.runs)]
        print(
            f"{label:58} median {statistics.median(samples) * 1000:6.0f} ms, "
            f"min {min(samples) * 1000:6.0f} ms ({args.runs} runs)"
        )
    print(f"SDKs imported by `prorata providers --json`: {_sdks_loaded_by_providers() or 'none'}")


if __name__ == "__main__":
    main()
