"""Usage errors under --json, help text, piped output, completion and stepped advance."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import click
import pytest
from click.testing import CliRunner

from prorata.cli import main
from prorata.cli._advance_cmd import MAX_STEPS, advance_in_steps


@pytest.mark.parametrize(
    ("args", "kind"),
    [
        (["--json", "no-such-command"], "NoSuchCommand"),
        (["preview", "--json"], "MissingParameter"),
        (["plans", "--json", "--bogus"], "NoSuchOption"),
        (["--json", "preview", "sub_1", "--timing", "someday"], "BadParameter"),
    ],
)
def test_usage_errors_under_json_are_json_on_stdout(args: list[str], kind: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["usage"] is True
    # click names the exact class (NoSuchCommand since click 8.2.x, UsageError before)
    assert error["type"] in (kind, "UsageError")
    assert issubclass(getattr(click.exceptions, error["type"]), click.UsageError)
    assert error["message"]


def test_usage_errors_without_json_stay_click_messages_on_stderr() -> None:
    result = CliRunner().invoke(main, ["preview"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Missing argument 'SUBSCRIPTION_ID'" in result.stderr


def _commands() -> list[str]:
    assert isinstance(main, click.Group)
    return sorted(main.commands)


@pytest.mark.parametrize("command", [None, *_commands()])
def test_help_has_no_rst_markup(command: str | None) -> None:
    result = CliRunner().invoke(main, ["--help"] if command is None else [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout
    assert "``" not in result.stdout


def test_the_lifecycle_commands_exist() -> None:
    assert {"init", "resume", "cancel-scheduled", "advance", "subscribe"} <= set(_commands())


def test_piped_one_line_messages_are_not_wrapped() -> None:
    # CliRunner's stdout is not a terminal, as with `prorata ... | grep`
    long_email = "a-rather-long-mailbox-name-for-the-wrapping-check@an-example-domain.example.com"
    result = CliRunner().invoke(main, ["subscribe", long_email, "basic"])
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    assert long_email in line
    assert len(line) > 80
    assert "\x1b[" not in result.stdout  # no colour codes either


def test_shell_completion_script_is_served() -> None:
    result = CliRunner().invoke(main, [], prog_name="prorata", env={"_PRORATA_COMPLETE": "bash_source"})
    assert result.exit_code == 0
    assert "_PRORATA_COMPLETE=bash_complete" in result.stdout
    assert "complete -o nosort -F" in result.stdout


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.moments = [now]

    def now(self) -> datetime:
        return self.moments[-1]

    def advance(self, to: datetime) -> None:
        assert to >= self.moments[-1]
        self.moments.append(to)


def test_advance_in_steps_ends_exactly_at_the_target() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    target = start + timedelta(days=3 * 365, seconds=7)
    clock = _Clock(start)
    seen: list[tuple[int, int]] = []
    advance_in_steps(clock, target, on_step=lambda done, total: seen.append((done, total)))
    assert clock.moments[-1] == target
    assert len(clock.moments) - 1 == MAX_STEPS
    assert seen[-1] == (MAX_STEPS, MAX_STEPS)
    assert all(a < b for a, b in zip(clock.moments, clock.moments[1:], strict=False))


def test_advance_in_steps_takes_one_step_per_day_on_short_spans() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    clock = _Clock(start)
    advance_in_steps(clock, start + timedelta(days=3, hours=1))
    assert len(clock.moments) - 1 == 4
    clock = _Clock(start)
    advance_in_steps(clock, start)  # no time to cover: one move, the clock decides
    assert clock.moments == [start, start]
