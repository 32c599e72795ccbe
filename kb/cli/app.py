"""The top-level `kb` group: which commands exist, their one-line help, and where each lives.

`kb --help` and `kb --version` import only this module and click: COMMANDS names every
top-level command with its one-line summary and the modules that define it, so the listing needs
no command module, and `kb <command> ...` imports only that command's modules (click's lazy
loading of subcommands). The summary has one home, COMMANDS: it is also the first line of the
command's own --help, so a top-level command's docstring starts after it.

Commands are thin: parse options, call kb.*, print. A KBError becomes one readable message on
stderr and exit code 1, never a traceback. Shared options are in kb.cli.options, output helpers
in kb.cli.output; the library, and with it pandas, DuckDB and networkx, is imported inside the
command that needs it.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any, NamedTuple

import click

from kb import __version__


class Entry(NamedTuple):
    """A top-level command: its one-line help and the modules whose import registers it."""

    summary: str
    modules: tuple[str, ...]


COMMANDS: dict[str, Entry] = {
    "build": Entry("(Re)create the store from data/ and the upstream files.", ("kb.cli.store",)),
    "dashboard": Entry(
        "Serve the dashboard, building the store first if needed.", ("kb.cli.dashboard",)
    ),
    "export": Entry("Write the store in formats other tools read without kb.", ("kb.cli.export",)),
    "exposure": Entry(
        "Task exposure to LLMs and the share of workers exposed.",
        ("kb.cli.exposure", "kb.cli.agreement"),
    ),
    "fetch": Entry(
        "Download the living sources' current files and take them in.", ("kb.cli.living",)
    ),
    "info": Entry(
        "What the store holds, and when and by which kb it was built.", ("kb.cli.store",)
    ),
    "ingest": Entry(
        "Add or update records in data/ and the store, all or nothing.",
        ("kb.cli.labels", "kb.cli.releases", "kb.cli.living"),
    ),
    "knew-when": Entry(
        "What we knew when: each exposure source's headline by date.", ("kb.cli.provenance",)
    ),
    "provenance": Entry(
        "Every exposure source: who produced it, how, when, citation.", ("kb.cli.provenance",)
    ),
    "query": Entry("Run one read-only SQL statement on the store.", ("kb.cli.query",)),
    "timeline": Entry(
        "The releases in order of first public date, filtered.", ("kb.cli.timeline",)
    ),
    "usage": Entry("Observed AI usage beside GPT-4-era exposure.", ("kb.cli.usage",)),
    "verify": Entry(
        "Recompute the paper's published figures and compare them.", ("kb.cli.verify",)
    ),
}


class KBGroup(click.Group):
    """A click group that turns KBError into a ClickException (exit 1, message on stderr)."""

    def invoke(self, ctx: click.Context) -> Any:
        from kb.errors import KBError  # here, not at the top: `kb --help` never needs it

        try:
            return super().invoke(ctx)
        except KBError as exc:
            raise click.ClickException(str(exc)) from exc


class LazyGroup(KBGroup):
    """The top-level group: lists COMMANDS without importing them, imports one when it runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        for module in entry.modules:  # importing a module registers its commands on `cli`
            importlib.import_module(module)
        return self.commands.get(cmd_name)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        """Register a command from COMMANDS, its help led by the summary there."""
        name = name or cmd.name
        if name not in COMMANDS:
            raise LookupError(f"kb.cli.app.COMMANDS has no entry for the command {name!r}")
        summary = COMMANDS[name].summary
        cmd.short_help = summary
        cmd.help = summary + (f"\n\n{inspect.cleandoc(cmd.help)}" if cmd.help else "")
        super().add_command(cmd, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name].summary) for name in self.list_commands(ctx)])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kb")
def cli() -> None:
    """kb: the March-2023 LLM release timeline and the 'GPTs are GPTs' task-exposure data,
    in one DuckDB store.

    \b
    Example:
      kb build --raw-dir ../shared/data/gpts-are-gpts
      kb exposure share --threshold 0.1
    """


@cli.group(cls=KBGroup)
def ingest() -> None:
    """\b
    Example:
      kb ingest releases data/examples/new-releases.yaml --dry-run
      kb ingest labels data/examples/labels-example.csv --rater my_model --produced-by gpt-4 --date 2024-05-01
    """  # noqa: E501  (an example line reads best unbroken)
