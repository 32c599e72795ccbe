"""Every `kb` command documents itself: --help works and shows at least one example."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from kb.cli import cli


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        found.append(path)
        if isinstance(command, click.Group):
            found.extend(_commands(command, path))
    return found


ALL_COMMANDS = _commands(cli)


def test_the_command_tree_has_the_documented_commands():
    names = {" ".join(path) for path in ALL_COMMANDS}
    for expected in (
        "build", "info", "query", "verify", "ingest releases", "ingest labels", "timeline",
        "timeline lineage", "exposure share", "exposure curve", "exposure top",
        "exposure unexposed", "exposure summary", "exposure agreement", "knew-when",
    ):
        assert expected in names


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=lambda p: " ".join(p))
def test_help_shows_an_example(path: tuple[str, ...]):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"`kb {' '.join(path)} --help` shows no example"
