"""Options shared by several commands. Every option with a closed set of values is built from
kb.vocabulary, so its choices and help cannot drift from the library."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from kb import vocabulary

if TYPE_CHECKING:
    from kb.exposure import Recipe

F = TypeVar("F", bound=Callable[..., Any])

# Every "how many rows" option: a positive count small enough for DuckDB's BIGINT (an unbounded
# click int lets -n 99999999999999999999 reach the SQL and overflow there).
MAX_ROWS_ASKED = 1_000_000
ROW_COUNT = click.IntRange(1, MAX_ROWS_ASKED)


def stacked(options: Sequence[Callable[[F], F]]) -> Callable[[F], F]:
    """One decorator applying several, listed in the order --help shows them."""

    def decorate(func: F) -> F:
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def bundled(name: str, build: Callable[..., Any], *options: Callable[[F], F]) -> Callable[[F], F]:
    """Options the command receives as one value: `name` = build(**their values), build's
    parameters named as the options' values are."""
    keys = list(inspect.signature(build).parameters)

    def decorate(func: F) -> F:
        @functools.wraps(func)  # shares func's help and the options already on it
        def command(*args: Any, **kwargs: Any) -> Any:
            values = {key: kwargs.pop(key) for key in keys}
            return func(*args, **kwargs, **{name: build(**values)})

        return stacked(options)(cast(F, command))

    return decorate


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


def raw_dir_option(help: str) -> Callable[[F], F]:
    """--raw-dir (or KB_RAW_DIR): a local mirror of the upstream files for a build."""
    return click.option(
        "--raw-dir",
        type=click.Path(file_okay=False),
        envvar="KB_RAW_DIR",
        show_envvar=True,
        help=help,
    )


def data_dir_option(help: str) -> Callable[[F], F]:
    """--data-dir (or KB_DATA_DIR): the data/ folder an ingest writes into."""
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False),
        envvar="KB_DATA_DIR",
        show_envvar=True,
        help=help,
    )


def format_option(*choices: str, default: str = "table") -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=default,
        show_default=True,
        help="Output format; json gives numbers as plain values (shares as fractions).",
    )


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


def rater_option(default: str, help: str) -> Callable[[F], F]:
    return click.option("--rater", default=default, show_default=True, help=help)


class EmploymentList(click.Choice):
    """Employment recipes separated by commas ('paper,oews-2025'), giving a list; --help still
    lists the vocabulary."""

    name = "choice list"

    def __init__(self) -> None:
        super().__init__(list(vocabulary.EMPLOYMENT_RECIPES))

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, list):
            return value
        names = [v.strip() for v in str(value).split(",") if v.strip()]
        unknown = [n for n in names if n not in self.choices]
        if unknown or not names:
            self.fail(
                f"{', '.join(unknown) or 'nothing'} is not an employment recipe; use one or "
                f"more of {', '.join(map(str, self.choices))}, separated by commas.",
                param,
                ctx,
            )
        return list(dict.fromkeys(names))


def employment_option(*, several: bool = False, default: str = "paper") -> Callable[[F], F]:
    """--employment: one kb.vocabulary.EMPLOYMENT_RECIPES term, or with several=True a
    comma-separated list of them (the command gets a list)."""
    if not several:
        return vocabulary_option("--employment", vocabulary.EMPLOYMENT_RECIPES, default=default)
    return click.option(
        "--employment",
        type=EmploymentList(),
        default=default,
        show_default=True,
        help="Employment recipe, or several separated by commas (one row each).",
    )


def recipe_options(employment: Callable[[Any], Any] | None) -> Callable[[F], F]:
    """--rater, --measure, --weighting, --compare with the paper's defaults, then `employment`
    (an employment_option(), or None for a command that takes no --employment)."""
    return stacked(
        [
            rater_option("human", "Whose labels: human, gpt4, gpt4_alt or an ingested rater."),
            measure_option("beta"),
            weighting_option,
            compare_option,
            *([employment] if employment else []),
        ]
    )


def recipe(rater: str, measure: str, weighting: str, compare: str, employment: str) -> Recipe:
    """The kb.exposure.Recipe named by the recipe options."""
    from kb.exposure import Recipe

    return Recipe.parse(rater, measure, weighting, compare, employment)


def recipe_option(func: F) -> F:
    """The recipe options with one --employment, given to the command as one Recipe, `chosen`."""
    return bundled("chosen", recipe, recipe_options(employment_option()))(func)


def raters_option(default: str, help: str) -> Callable[[F], F]:
    return click.option("--raters", default=default, show_default=True, help=help)


def split_raters(raters: str) -> list[str]:
    """'human, gpt4' -> ['human', 'gpt4']."""
    return [r.strip() for r in raters.split(",") if r.strip()]
