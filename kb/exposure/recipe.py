"""The recipe: every choice behind an exposure share, named, checked and printable.

A share is never just a number: it is the share under a rater's labels, a measure, a task
weighting, a comparison with the threshold and an employment source. `Recipe` holds those choices
(the defaults are the paper's); the closed sets and their wording come from kb.vocabulary.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

import duckdb

from kb.errors import KBError
from kb.exposure.raters import check_raters
from kb.vocabulary import (
    COMPARISON_SIGNS,
    COMPARISONS,
    EMPLOYMENT_RECIPES,
    EMPLOYMENT_VINTAGES,
    MEASURE_FORMULAS,
    MEASURES,
    WEIGHTING_PHRASES,
    WEIGHTINGS,
    Comparison,
    EmploymentRecipe,
    Measure,
    Weighting,
    canonical_measure,
)

DEFAULT_THRESHOLDS = (0.1, 0.5)  # the paper's two headline thresholds
DEFAULT_CURVE = tuple(i / 100 for i in range(101))  # 0, 0.01, ..., 1


def term(value: str, vocabulary: Mapping[str, str], what: str) -> str:
    """The value, if it is a term of the vocabulary; else a KBError listing the terms."""
    if value not in vocabulary:
        raise KBError(f"Unknown {what} {value!r}.", f"Use one of: {', '.join(vocabulary)}.")
    return value


def check_measure(name: str) -> Measure:
    """A measure by name ('gamma', the authors' name for zeta, is accepted)."""
    return cast(Measure, term(canonical_measure(name), MEASURES, "measure"))


def check_weighting(name: str) -> Weighting:
    return cast(Weighting, term(name, WEIGHTINGS, "weighting"))


def check_comparison(name: str) -> Comparison:
    return cast(Comparison, term(name, COMPARISONS, "comparison"))


def check_employment(name: str) -> EmploymentRecipe:
    return cast(EmploymentRecipe, term(name, EMPLOYMENT_RECIPES, "employment recipe"))


def check_threshold(value: object) -> float:
    """A threshold as a fraction in [0, 1]; else a KBError saying why."""
    try:
        t = float(value)  # type: ignore[arg-type]  # anything float() takes; the rest is refused
    except (TypeError, ValueError) as exc:
        raise KBError(
            f"Threshold {value!r} is not a number.", "Give a fraction between 0 and 1."
        ) from exc
    if not 0.0 <= t <= 1.0:
        raise KBError(
            f"Threshold {t:g} is outside [0, 1].",
            "Thresholds are fractions of tasks: 0.1 means 10%.",
        )
    return t


@dataclass(frozen=True)
class Recipe:
    """The choices behind an exposure share. The defaults are the paper's.

    rater: whose labels (human, gpt4, gpt4_alt, or any ingested rater; checked against the store)
    measure: alpha (E1), beta (E1 + 0.5 E2) or zeta (E1 + E2; 'gamma' is accepted as an alias)
    weighting: 'equal' (each task counts once, the paper's tables) or 'core' (core 2 : supp. 1)
    compare: 'gt' (exposure > t, the authors' code) or 'ge' (>= t, the abstract's wording)
    employment: 'paper' (BLS projections 2022 via NEM crosswalk), 'oews-2021' or 'oews-2025'

    Values from outside (command-line options, YAML) are checked on construction; `parse` does
    the same for plain strings and gives the checker the narrow types.
    """

    rater: str = "human"
    measure: Measure = "beta"
    weighting: Weighting = "equal"
    compare: Comparison = "gt"
    employment: EmploymentRecipe = "paper"

    def __post_init__(self) -> None:
        object.__setattr__(self, "measure", check_measure(self.measure))
        check_weighting(self.weighting)
        check_comparison(self.compare)
        check_employment(self.employment)
        if not isinstance(self.rater, str) or not self.rater:
            raise KBError("The rater is empty.", "Name a rater, e.g. human or gpt4.")

    @classmethod
    def parse(
        cls,
        rater: str = "human",
        measure: str = "beta",
        weighting: str = "equal",
        compare: str = "gt",
        employment: str = "paper",
    ) -> Recipe:
        """A recipe from plain strings (e.g. command-line options), each checked."""
        return cls(
            rater=rater,
            measure=check_measure(measure),
            weighting=check_weighting(weighting),
            compare=check_comparison(compare),
            employment=check_employment(employment),
        )

    def checked(self, con: duckdb.DuckDBPyConnection) -> Recipe:
        """This recipe, after checking its rater exists in the store (raters come from data)."""
        check_raters(con, [self.rater])
        return self

    def describe(self, threshold: float | None = None) -> str:
        """One readable line, e.g. 'human labels, beta (E1 + 0.5*E2), equal task weights, ...'."""
        bound = "t" if threshold is None else f"{threshold:g}"
        passes = f"exposure {COMPARISON_SIGNS[self.compare]} {bound}"
        return (
            f"{self.rater} labels, {self.measure} ({MEASURE_FORMULAS[self.measure]}), "
            f"{WEIGHTING_PHRASES[self.weighting]}, {passes}, employment: {self.employment}"
        )

    def explain_employment(self) -> str:
        return EMPLOYMENT_RECIPES[self.employment]

    def as_dict(self) -> dict[str, str]:
        return {
            "rater": self.rater,
            "measure": self.measure,
            "weighting": self.weighting,
            "compare": self.compare,
            "employment": self.employment,
        }


PAPER = Recipe()


def load_employment_vocabulary(con: duckdb.DuckDBPyConnection) -> None:
    """Fill employment_vintages and employment_recipes from kb.vocabulary (build time): the
    employment tables name their vintage and recipe by foreign key to these."""
    con.executemany(
        "INSERT INTO employment_vintages (vintage, description) VALUES (?, ?)",
        list(EMPLOYMENT_VINTAGES.items()),
    )
    con.executemany(
        "INSERT INTO employment_recipes (employment_recipe, description) VALUES (?, ?)",
        list(EMPLOYMENT_RECIPES.items()),
    )
