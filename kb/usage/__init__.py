"""Observed usage of AI beside potential exposure.

One module per usage source: `working_with_ai` (Microsoft's "Working with AI", AI applicability
per SOC code). The names below are the package's public API, used by the CLI and the dashboard.
"""

from kb.usage.working_with_ai import (
    DATASET,
    DEFAULT_MIN_GAP,
    DEFAULT_USAGE_CUT,
    MEASURE,
    METRICS_FILE,
    SCORES_FILE,
    RankCorrelation,
    UsageHeadline,
    comparison,
    coverage,
    gaps,
    headline,
    load_into,
    rank_correlation,
    read_usage,
    weighted_distribution,
)
from kb.vocabulary import EMPLOYMENT_VINTAGES, MEASURE_ALIASES, MEASURES

__all__ = [
    "DATASET",
    "DEFAULT_MIN_GAP",
    "DEFAULT_USAGE_CUT",
    "EMPLOYMENT_VINTAGES",
    "MEASURE",
    "MEASURES",
    "MEASURE_ALIASES",
    "METRICS_FILE",
    "SCORES_FILE",
    "RankCorrelation",
    "UsageHeadline",
    "comparison",
    "coverage",
    "gaps",
    "headline",
    "load_into",
    "rank_correlation",
    "read_usage",
    "weighted_distribution",
]
