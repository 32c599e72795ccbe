"""The click group, shared options and output helpers for every `kb` command.

Commands are thin: parse options, call kb.*, print. A KBError becomes one readable message on
stderr and exit code 1, never a traceback.

Start-up stays fast because this module and the command modules import only click and light kb
modules (vocabulary, defaults, errors) at the top; the library, and with it pandas, DuckDB and
networkx, is imported inside the command that needs it. Every option with a closed set of values
is built from kb.vocabulary, so its choices and help cannot drift from the library.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kb import __version__, vocabulary
from kb.errors import KBError

if TYPE_CHECKING:
    import pandas as pd

    from kb.exposure import Recipe

F = TypeVar("F", bound=Callable[..., Any])

# Every "how many rows" option: a positive count small enough for DuckDB's BIGINT (an unbounded
# click int lets -n 99999999999999999999 reach the SQL and overflow there).
MAX_ROWS_ASKED = 1_000_000
ROW_COUNT = click.IntRange(1, MAX_ROWS_ASKED)


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
    """  # noqa: E501  (an example line reads best unbroken)


# ------------------------------------------------------------------------------------ options


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


def described(terms: Mapping[str, str], aliases: Mapping[str, str] | None = None) -> str:
    """Help text listing each term of a vocabulary set with its description."""
    text = "; ".join(f"{term} - {meaning}" for term, meaning in terms.items())
    for alias, term in (aliases or {}).items():
        text += f"; {alias} - the same as {term}"
    return text + "."


def vocabulary_option(
    flag: str,
    terms: Mapping[str, str],
    *,
    default: str | None,
    help: str = "",
    aliases: Mapping[str, str] | None = None,
) -> Callable[[F], F]:
    """An option whose choices are a kb.vocabulary set (plus its aliases), its help generated
    from the set's descriptions after an optional lead sentence."""
    lead = f"{help} " if help else ""
    return click.option(
        flag,
        default=default,
        show_default=default is not None,
        type=click.Choice([*terms, *(aliases or {})]),
        help=lead + described(terms, aliases),
    )


def measure_option(default: str | None, help: str = "") -> Callable[[F], F]:
    """--measure: alpha, beta, zeta (and the authors' name gamma for zeta)."""
    return vocabulary_option(
        "--measure",
        vocabulary.MEASURES,
        default=default,
        help=help,
        aliases=vocabulary.MEASURE_ALIASES,
    )


def weighting_option(func: F) -> F:
    return vocabulary_option("--weighting", vocabulary.WEIGHTINGS, default="equal")(func)


def compare_option(func: F) -> F:
    return vocabulary_option("--compare", vocabulary.COMPARISONS, default="gt")(func)


def recipe_options(func: F) -> F:
    """--rater, --measure, --weighting, --compare, --employment (defaults: the paper's)."""
    options = [
        click.option(
            "--rater",
            default="human",
            show_default=True,
            help="Whose labels: human, gpt4, gpt4_alt or an ingested rater.",
        ),
        measure_option("beta"),
        weighting_option,
        compare_option,
        vocabulary_option("--employment", vocabulary.EMPLOYMENT_RECIPES, default="paper"),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def recipe(rater: str, measure: str, weighting: str, compare: str, employment: str) -> Recipe:
    """The kb.exposure.Recipe named by the recipe options."""
    from kb.exposure import Recipe

    return Recipe.parse(rater, measure, weighting, compare, employment)


def raters_option(default: str, help: str) -> Callable[[F], F]:
    return click.option("--raters", default=default, show_default=True, help=help)


def split_raters(raters: str) -> list[str]:
    """'human, gpt4' -> ['human', 'gpt4']."""
    return [r.strip() for r in raters.split(",") if r.strip()]


# ------------------------------------------------------------------------------------- output


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
    if _is_frame(value):
        return [_plain(r) for r in value.to_dict(orient="records")]
    return value


def _is_frame(value: Any) -> bool:
    """A pandas DataFrame, without importing pandas for values that cannot be one."""
    if type(value).__module__.partition(".")[0] != "pandas":
        return False
    import pandas as pd

    return isinstance(value, pd.DataFrame)


def to_json(data: Any) -> str:
    return json.dumps(_plain(data), indent=2, ensure_ascii=False)


def emit(data: pd.DataFrame | Sequence[Mapping[str, Any]] | Mapping[str, Any], fmt: str) -> None:
    """Print a table (DataFrame or records) as an aligned table, CSV or JSON."""
    if fmt == "json":
        click.echo(to_json(data))
        return
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        frame = data
    else:
        frame = pd.DataFrame([data] if isinstance(data, Mapping) else list(data))
    if fmt == "csv":
        click.echo(frame.to_csv(index=False), nl=False)
    elif frame.empty:
        click.echo("(no rows)")
    else:
        with pd.option_context("display.max_colwidth", 80, "display.width", 200):
            click.echo(frame.to_string(index=False))


def percent(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """A copy for the table view with fractions shown as percentages."""
    import pandas as pd

    out = frame.copy()
    for c in columns:
        if c in out:
            out[c] = out[c].map(lambda v: "" if pd.isna(v) else f"{v:.1%}")
    return out


def thousands(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """A copy for the table view with counts as '1,234' and missing values as '-'."""
    import pandas as pd

    out = frame.copy()
    for c in columns:
        if c in out:
            out[c] = out[c].map(lambda v: "-" if pd.isna(v) else f"{v:,.0f}")
    return out


def blank_missing(frame: pd.DataFrame, fmt: str) -> pd.DataFrame:
    """Blank rather than NaN for missing values (and plain dates) in the aligned-table output."""
    if fmt != "table":
        return frame
    import pandas as pd

    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    frame = frame.astype(object)
    return frame.where(frame.notna(), "")
