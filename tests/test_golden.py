"""The store's schema and the JSON of the main commands, compared with tests/golden/.

A failure here means an output changed. If the change is intended, rewrite the files with
`make golden` (or `KB_UPDATE_GOLDEN=1 make test`) and review `git diff tests/golden`."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import Workspace
from golden_files import GOLDEN, UPDATE_ENV, json_text, schema_dump, updating

from kb.cli import cli

COMMANDS = {
    "exposure_share.json": ["exposure", "share", "--format", "json"],
    # A window (the paper's weeks) rather than all ~1,750 releases: a diff a reviewer can read.
    "timeline.json": [
        "timeline",
        "--since",
        "2023-02-01",
        "--until",
        "2023-04-30",
        "--format",
        "json",
    ],
    "info.json": ["info", "--format", "json"],
}


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if updating():
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing: write it with {UPDATE_ENV}=1 (make golden)"
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), f"golden/{name}", "now", lineterm=""
        )
        shown = list(diff)
        more = f"\n... and {len(shown) - 80} more diff lines" if len(shown) > 80 else ""
        pytest.fail(
            f"{name} differs from the golden file; if the change is intended, run `make golden` "
            "and review `git diff tests/golden`:\n" + "\n".join(shown[:80]) + more,
            pytrace=False,
        )


def test_schema(built: Workspace) -> None:
    check_golden("schema.txt", schema_dump(Path(built.db)))


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_json(name: str, built: Workspace) -> None:
    result = CliRunner().invoke(cli, [*COMMANDS[name], "--db", str(built.db)])
    assert result.exit_code == 0, result.output
    check_golden(name, json_text(result.output))
