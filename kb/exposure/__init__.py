"""Exposure measures and workforce shares: pure functions of a DuckDB connection.

Every choice is named in a `Recipe` (rater, measure, task weighting, comparison, employment
source) and every share carries its recipe and what it counted and left out. SQL (kb/sql/*.sql
over the views in kb/schema/25_exposure_views.sql) does the set work; pandas only reshapes.
The CLI (`kb exposure ...`) and the dashboard call these same functions.

    >>> with kb.store.connect() as con:
    ...     kb.exposure.share(con, 0.1, Recipe())        # the paper's headline, ~80% of workers

Modules: recipe (the choices), raters, shares (shares, curves, breakdowns, lists), agreement
(between raters), occupations (the explorer), loading (the build step reading the authors'
files). The closed sets (measures, weightings, ...) are kb.vocabulary's, re-exported here.
"""

from kb.exposure.agreement import (
    MATRIX_METRICS,
    Agreement,
    agreement,
    agreement_matrix,
    cohen_kappa,
)
from kb.exposure.occupations import OccupationDetail, occupation_detail, search_occupations
from kb.exposure.raters import check_raters, rater_table, raters
from kb.exposure.recipe import (
    DEFAULT_CURVE,
    DEFAULT_THRESHOLDS,
    PAPER,
    Recipe,
    check_comparison,
    check_employment,
    check_measure,
    check_threshold,
    check_weighting,
)
from kb.exposure.shares import (
    Coverage,
    Share,
    breakdown,
    coverage,
    curve,
    curves,
    share,
    shares,
    summary,
    top,
    unexposed,
)
from kb.vocabulary import (
    AGREEMENT_METRICS,
    COMPARISONS,
    EMPLOYMENT_RECIPES,
    GROUPINGS,
    LEVELS,
    MEASURE_ALIASES,
    MEASURE_FORMULAS,
    MEASURES,
    WEIGHTINGS,
)

# The formula of each measure as recipe lines print it ('E1 + 0.5*E2'); kept for callers.
MEASURE_DEFINITIONS = MEASURE_FORMULAS

__all__ = [
    "AGREEMENT_METRICS",
    "COMPARISONS",
    "DEFAULT_CURVE",
    "DEFAULT_THRESHOLDS",
    "EMPLOYMENT_RECIPES",
    "GROUPINGS",
    "LEVELS",
    "MATRIX_METRICS",
    "MEASURES",
    "MEASURE_ALIASES",
    "MEASURE_DEFINITIONS",
    "MEASURE_FORMULAS",
    "PAPER",
    "WEIGHTINGS",
    "Agreement",
    "Coverage",
    "OccupationDetail",
    "Recipe",
    "Share",
    "agreement",
    "agreement_matrix",
    "breakdown",
    "check_comparison",
    "check_employment",
    "check_measure",
    "check_raters",
    "check_threshold",
    "check_weighting",
    "cohen_kappa",
    "coverage",
    "curve",
    "curves",
    "occupation_detail",
    "rater_table",
    "raters",
    "search_occupations",
    "share",
    "shares",
    "summary",
    "top",
    "unexposed",
]
