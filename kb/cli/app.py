"""The click group, shared options and output helpers for every `kb` command.

Commands are thin: parse options, call kb.*, print. A KBError becomes one readable message on
stderr and exit code 1, never a traceback.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import click
import pandas as pd

from kb import __version__
from kb.errors import KBError

F = TypeVar("F", bound=Callable[..., Any])


class KBGroup(click.Group):
    """A click group that turns KBError into a ClickException (exit 1, message on stderr)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KBError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=KBGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
    """Add or update records in data/ and the store, in one all-or-nothing step.

    \b
    Example:
      kb ingest releases data/examples/new-releases.yaml --dry-run
      kb ingest labels data/examples/labels-example.csv --rater my_model --produced-by gpt-4 --date 2024-05-01
    """


def db_option(func: F) -> F:
    return click.option(
        "--db",
        "db",
        type=click.Path(dir_okay=False),
        envvar="KB_DB",
        default=None,
        show_envvar=True,
        help="The DuckDB store (default: data/kb.duckdb).",
    )(func)


def format_option(*choices: str, default: str = "table") -> Callable[[F], F]:
    def decorate(func: F) -> F:
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(list(choices)),
            default=default,
            show_default=True,
            help="Output format; json gives numbers as plain values (shares as fractions).",
        )(func)

    return decorate


def _plain(value: Any) -> Any:
    """Make a value JSON-friendly: NaN -> null, dates -> ISO strings, numpy -> Python."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        try:
            return _plain(value.item())
        except (ValueError, AttributeError):
            pass
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return [_plain(r) for r in value.to_dict(orient="records")]
    return value


def to_json(data: Any) -> str:
    return json.dumps(_plain(data), indent=2, ensure_ascii=False)


def emit(data: pd.DataFrame | Sequence[Mapping[str, Any]] | Mapping[str, Any], fmt: str) -> None:
    """Print a table (DataFrame or records) as an aligned table, CSV or JSON."""
    if fmt == "json":
        click.echo(to_json(data))
        return
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(
        [data] if isinstance(data, Mapping) else list(data)
    )
    if fmt == "csv":
        click.echo(frame.to_csv(index=False), nl=False)
    elif frame.empty:
        click.echo("(no rows)")
    else:
        with pd.option_context("display.max_colwidth", 80, "display.width", 200):
            click.echo(frame.to_string(index=False))
