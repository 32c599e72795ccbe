"""Every `kb` command documents itself: --help works and shows at least one example."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from kb import vocabulary
from kb.cli import cli
from kb.cli.app import COMMANDS, LazyGroup


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path, through click's lookup (the top-level group imports on demand)."""
    found = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, f"`kb {' '.join((*prefix, name))}` is listed but not found"
        path = (*prefix, name)
        found.append(path)
        if isinstance(command, click.Group):
            found.extend(_commands(command, path))
    return found


ALL_COMMANDS = _commands(cli)


def test_the_command_tree_has_the_documented_commands():
    names = {" ".join(path) for path in ALL_COMMANDS}
    for expected in (
        "build",
        "info",
        "query",
        "verify",
        "ingest releases",
        "ingest labels",
        "timeline",
        "timeline lineage",
        "exposure share",
        "exposure curve",
        "exposure top",
        "exposure unexposed",
        "exposure summary",
        "exposure agreement",
        "knew-when",
    ):
        assert expected in names


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=lambda p: " ".join(p))
def test_help_shows_an_example(path: tuple[str, ...]):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"`kb {' '.join(path)} --help` shows no example"


# Options whose values form a closed set, and the kb.vocabulary set each must offer exactly.
VOCABULARY_OPTIONS = {
    "measure": [*vocabulary.MEASURES, *vocabulary.MEASURE_ALIASES],
    "weighting": list(vocabulary.WEIGHTINGS),
    "compare": list(vocabulary.COMPARISONS),
    "by": list(vocabulary.GROUPINGS),
    "level": list(vocabulary.LEVELS),
    "metric": list(vocabulary.AGREEMENT_METRICS),
}


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command | None = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.get_command(click.Context(command), name)
    assert command is not None
    return command


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=lambda p: " ".join(p))
def test_closed_set_options_offer_the_vocabulary(path: tuple[str, ...]):
    for param in _command(path).params:
        if param.name in VOCABULARY_OPTIONS:
            assert isinstance(param.type, click.Choice), f"--{param.name} is not a choice"
            assert list(param.type.choices) == VOCABULARY_OPTIONS[param.name]
        if param.name == "employment":
            assert isinstance(param.type, click.Choice)
            offered = set(param.type.choices)
            assert offered in (
                set(vocabulary.EMPLOYMENT_RECIPES),
                set(vocabulary.EMPLOYMENT_VINTAGES),
            )


def test_a_comma_list_of_employment_recipes_is_validated_term_by_term():
    share = _command(("exposure", "share"))
    option = next(p for p in share.params if p.name == "employment")
    recipes = list(vocabulary.EMPLOYMENT_RECIPES)
    assert option.type.convert(",".join(recipes), option, None) == recipes
    result = CliRunner().invoke(cli, ["exposure", "share", "--employment", f"{recipes[0]},nope"])
    assert result.exit_code == 2
    assert "nope is not an employment recipe; use one or more of " in result.output
    assert "'--employment'" in result.output


def test_agreement_matrix_metric_help_matches_the_code():
    result = CliRunner().invoke(cli, ["exposure", "agreement-matrix", "--help"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())  # undo click's line wrapping
    assert "[kappa|agreement|pearson_r|n]" in text
    assert "[default: kappa]" in text
    for metric, meaning in vocabulary.AGREEMENT_METRICS.items():
        assert f"{metric} - {meaning}" in text
    assert "mean_abs_diff" not in text and "pearson," not in text


def test_an_unknown_metric_is_refused_with_the_choices():
    result = CliRunner().invoke(cli, ["exposure", "agreement-matrix", "--metric", "pearson"])
    assert result.exit_code == 2
    assert "'pearson' is not one of 'kappa', 'agreement', 'pearson_r', 'n'" in result.output


def test_the_top_level_listing_is_each_commands_own_first_line():
    """`kb --help` lists kb.cli.app.COMMANDS without importing the commands; each command's own
    --help starts with the same line, so the two cannot drift."""
    listing = CliRunner().invoke(cli, ["--help"]).output
    for name, entry in COMMANDS.items():
        assert f"  {name}" in listing and entry.summary in listing
        own = CliRunner().invoke(cli, [name, "--help"]).output
        assert own.split("\n\n")[1].strip() == entry.summary, name


def test_a_command_missing_from_the_table_is_refused():
    group = LazyGroup()
    with pytest.raises(LookupError, match="no entry for the command 'nope'"):
        group.add_command(click.Command("nope"))


def test_an_unknown_command_is_refused_with_a_usage_error():
    result = CliRunner().invoke(cli, ["exposur"])
    assert result.exit_code == 2 and "No such command 'exposur'" in result.output


HEAVY = ("pandas", "numpy", "duckdb", "networkx", "yaml", "streamlit", "altair")


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_the_cli_starts_without_the_heavy_libraries(flag: str):
    """`kb --help` and `kb --version` import only click and light kb modules."""
    probe = (
        "import sys; from kb.cli import cli; cli.main([sys.argv[1]], standalone_mode=False); "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe, flag], capture_output=True, text=True, check=True
    )
    assert "kb" in run.stdout
    assert run.stderr.strip() == ""
