"""Observed usage ("Working with AI", Tomlinson et al. 2025) beside potential exposure.

The usage measure is an AI applicability score (0-1) per 2018 SOC code, computed by the authors
from Bing Copilot conversations in 2024. "GPTs are GPTs" rates O*NET-SOC 2019 occupations
(8-digit, e.g. 11-1011.03). The two meet through the BLS O*NET-SOC -> National Employment Matrix
crosswalk (table onet_nem_crosswalk / occupations.nem_code), the same crosswalk the usage
authors used: a SOC code's exposure is the mean exposure of the O*NET occupations mapped to it.
Cutting the O*NET-SOC code to its first 7 characters instead misses the aggregated codes that
OEWS and the usage data use (13-1020 for 13-1021/22/23, ...); `coverage()` reports both rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import duckdb
import pandas as pd

from kb import defaults, sources, sql, store
from kb.errors import KBError, Problem, ValidationError
from kb.exposure.raters import check_raters
from kb.exposure.recipe import check_measure, term
from kb.vocabulary import EMPLOYMENT_VINTAGES

if TYPE_CHECKING:
    from kb.build import BuildContext

DATASET = "working-with-ai"
SCORES_FILE = "soc_ai_applicability_scores.csv"
METRICS_FILE = "soc_metrics.csv"
MEASURE = "ai_applicability"
# The defaults live in kb.defaults, which the CLI reads without importing this module.
DEFAULT_MIN_GAP: Final = defaults.MIN_GAP
DEFAULT_USAGE_CUT: Final = defaults.USAGE_CUT

SCORE_COLUMNS = {"SOC Code": "soc_code", "title": "title", "ai_applicability_score": "score"}
METRIC_COLUMNS = {
    "SOC Code": "soc_code",
    "ai_applicability_score_user": "score_user",
    "ai_applicability_score_ai": "score_ai",
    "coverage_user": "coverage_user",
    "coverage_ai": "coverage_ai",
    "completion_user": "completion_user",
    "completion_ai": "completion_ai",
    "impact_scope_user": "impact_scope_user",
    "impact_scope_ai": "impact_scope_ai",
    "feedback_positive_fraction_user": "feedback_positive_user",
    "feedback_positive_fraction_ai": "feedback_positive_ai",
}


# --- reading and loading ----------------------------------------------------------------------


def _problems_in(frame: pd.DataFrame, name: str, columns: dict[str, str]) -> list[Problem]:
    problems: list[Problem] = []
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        return [Problem(name, "line 1", c, "column is missing") for c in missing]
    codes = frame["SOC Code"].astype("string")
    bad = ~codes.str.fullmatch(r"\d{2}-\d{4}").fillna(False)
    for i in frame.index[bad]:
        problems.append(
            Problem(name, f"line {i + 2}", "SOC Code", f"{codes[i]!r} is not a SOC code")
        )
    for i in frame.index[codes.duplicated()]:
        problems.append(Problem(name, f"line {i + 2}", "SOC Code", f"{codes[i]!s} appears twice"))
    for col in columns:
        if col in ("SOC Code", "title"):
            continue
        values = pd.to_numeric(frame[col], errors="coerce")
        for i in frame.index[values.isna() | (values < 0) | (values > 1)]:
            problems.append(
                Problem(
                    name,
                    f"line {i + 2}",
                    col,
                    f"{frame.at[i, col]!s} is not a number between 0 and 1",
                )
            )
    return problems


def read_usage(scores_path: object, metrics_path: object) -> pd.DataFrame:
    """The two upstream files joined by SOC code, checked; raises ValidationError."""
    scores = pd.read_csv(scores_path, dtype={"SOC Code": "string"})
    metrics = pd.read_csv(metrics_path, dtype={"SOC Code": "string"})
    problems = _problems_in(scores, SCORES_FILE, SCORE_COLUMNS) + _problems_in(
        metrics, METRICS_FILE, METRIC_COLUMNS
    )
    if not problems:
        missing = set(scores["SOC Code"]) ^ set(metrics["SOC Code"])
        problems += [
            Problem(
                SCORES_FILE,
                "file",
                "SOC Code",
                f"{code} is in only one of {SCORES_FILE} and {METRICS_FILE}",
            )
            for code in sorted(missing)
        ]
    if problems:
        raise ValidationError(
            problems,
            "The upstream usage files do not have the expected content; check data/sources.yml "
            "and the mirror.",
        )
    return (
        scores[list(SCORE_COLUMNS)]
        .rename(columns=SCORE_COLUMNS)
        .merge(metrics[list(METRIC_COLUMNS)].rename(columns=METRIC_COLUMNS), on="soc_code")
    )


def load_into(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> int:
    """Load the usage scores (after exposure_sources has its record for the measure)."""
    row = store.first_row(
        con, "SELECT source_id FROM exposure_sources WHERE measure = ?", [MEASURE]
    )
    if row is None:
        raise KBError(
            f"No exposure source describes the measure {MEASURE!r}.",
            "Add its record to data/exposure_sources.yml.",
        )
    frame = read_usage(
        sources.resolve(DATASET, SCORES_FILE, ctx), sources.resolve(DATASET, METRICS_FILE, ctx)
    )
    con.register("incoming_usage", frame)
    try:
        sql.execute(con, "observed_usage_insert", {"source_id": row[0]})
    finally:
        con.unregister("incoming_usage")
    ctx.counts["observed_usage"] = len(frame)
    return len(frame)


# --- exposure beside usage --------------------------------------------------------------------


def _employment(name: str) -> str:
    return term(name, EMPLOYMENT_VINTAGES, "employment vintage")


def comparison(
    con: duckdb.DuckDBPyConnection,
    rater: str = "gpt4",
    measure: str = "beta",
    employment: str = "oews-2021",
) -> pd.DataFrame:
    """Per SOC code in the usage data: title, exposure, usage score, employment (a scatter).

    exposure is NULL for a SOC code no O*NET occupation maps to; employment NULL where the
    vintage has no figure (OEWS has none for 45-3031, fishing and hunting workers).
    """
    check_raters(con, [rater])
    params = {
        "rater": rater,
        "measure": check_measure(measure),
        "employment": _employment(employment),
    }
    return sql.execute(con, "usage_comparison", params).df()


@dataclass(frozen=True)
class RankCorrelation:
    """Spearman's rank correlation between exposure and usage over matched SOC codes."""

    rho: float
    n: int
    rater: str
    measure: str

    def describe(self) -> str:
        return (
            f"Spearman rho = {self.rho:.3f} between {self.rater} {self.measure} exposure and "
            f"observed usage over {self.n} SOC codes"
        )


def rank_correlation(
    con: duckdb.DuckDBPyConnection, rater: str = "gpt4", measure: str = "beta"
) -> RankCorrelation:
    """Spearman's rho over matched SOC codes: Pearson's r of the average ranks (ties share
    their mean rank), computed in SQL."""
    check_raters(con, [rater])
    name = check_measure(measure)
    params = {"rater": rater, "measure": name, "employment": "oews-2021"}
    rho, n = sql.execute(con, "usage_rank_correlation", params).fetchall()[0]
    return RankCorrelation(rho=float(rho), n=int(n), rater=rater, measure=name)


def _ranks(values: pd.Series) -> pd.Series:
    return values.rank(method="average")


def gaps(
    con: duckdb.DuckDBPyConnection,
    rater: str = "gpt4",
    measure: str = "beta",
    min_gap: float = DEFAULT_MIN_GAP,
    n: int | None = 15,
) -> pd.DataFrame:
    """Occupations highly exposed but little used, and the reverse.

    Rule: percentile ranks (average rank of ties / number of codes, so 0-1) of exposure and of
    usage among matched SOC codes; rank_gap = exposure percentile - usage percentile.
    'exposed, little used': rank_gap >= min_gap; 'used, little exposed': rank_gap <= -min_gap.
    Largest gaps first, at most n per group (None: all).
    """
    if not 0 < min_gap <= 1:
        raise KBError(
            f"The minimum rank gap must be in (0, 1], not {min_gap}.",
            "e.g. 0.4 for 40 percentile points.",
        )
    frame = comparison(con, rater, measure).dropna(subset=["exposure"])
    frame["exposure_pct"] = _ranks(frame["exposure"]) / len(frame)
    frame["usage_pct"] = _ranks(frame["usage_score"]) / len(frame)
    frame["rank_gap"] = frame["exposure_pct"] - frame["usage_pct"]
    exposed = frame[frame.rank_gap >= min_gap].assign(group="exposed, little used")
    used = frame[frame.rank_gap <= -min_gap].assign(group="used, little exposed")
    exposed = exposed.sort_values(["rank_gap", "soc_code"], ascending=[False, True])
    used = used.sort_values(["rank_gap", "soc_code"])
    if n is not None:
        exposed, used = exposed.head(n), used.head(n)
    columns = [
        "group",
        "soc_code",
        "title",
        "exposure",
        "usage_score",
        "exposure_pct",
        "usage_pct",
        "rank_gap",
        "employment",
    ]
    return pd.concat([exposed, used], ignore_index=True)[columns]


def coverage(con: duckdb.DuckDBPyConnection, employment: str = "oews-2021") -> pd.DataFrame:
    """Matched and unmatched SOC codes on each side under each rule, with their employment."""
    return sql.execute(con, "usage_coverage", {"employment": _employment(employment)}).df()


def weighted_distribution(
    con: duckdb.DuckDBPyConnection,
    rater: str = "gpt4",
    measure: str = "beta",
    bins: int = 10,
    employment: str = "oews-2021",
) -> pd.DataFrame:
    """Share of workers by score bin for exposure and usage, over matched SOC codes with
    employment. Both measures are on 0-1; bins are equal-width [k/bins, (k+1)/bins) with 1.0 in
    the last."""
    if bins < 1 or bins > 100:
        raise KBError(f"bins must be between 1 and 100, not {bins}.")
    frame = comparison(con, rater, measure, employment).dropna(subset=["exposure", "employment"])
    total = frame["employment"].sum()
    out = []
    for column, label in (
        ("exposure", f"exposure ({rater} {check_measure(measure)})"),
        ("usage_score", "observed usage (AI applicability)"),
    ):
        index = (frame[column] * bins).clip(upper=bins - 1e-9).astype(int)
        by_bin = frame.groupby(index)["employment"].sum().reindex(range(bins), fill_value=0)
        for k, workers in zip(range(bins), by_bin.to_numpy(), strict=True):
            out.append(
                {
                    "measure": label,
                    "bin_start": k / bins,
                    "bin_end": (k + 1) / bins,
                    "workers": float(workers),
                    "share_of_workers": float(workers / total),
                }
            )
    return pd.DataFrame(out)


@dataclass(frozen=True)
class UsageHeadline:
    mean_score: float  # employment-weighted mean AI applicability score
    share_at_or_above_cut: float  # share of workers in occupations scoring >= cut
    cut: float
    workers: float
    soc_codes: int
    soc_codes_without_employment: int
    employment: str

    def describe(self) -> str:
        return (
            f"employment-weighted mean score {self.mean_score:.3f}; "
            f"{self.share_at_or_above_cut:.1%} of workers in occupations scoring >= "
            f"{self.cut:g} ({self.soc_codes} SOC codes, {self.workers:,.0f} workers, "
            f"{self.employment} employment; {self.soc_codes_without_employment} code(s) "
            "without employment left out)"
        )


def headline(
    con: duckdb.DuckDBPyConnection, cut: float = DEFAULT_USAGE_CUT, employment: str = "oews-2021"
) -> UsageHeadline:
    """The usage measure's headline figures, weighted by employment over every usage SOC code."""
    if not 0 <= cut <= 1:
        raise KBError(f"The usage cut must be between 0 and 1, not {cut}.")
    params = {"employment": _employment(employment), "cut": cut}
    row = sql.execute(con, "usage_headline", params).fetchall()[0]
    return UsageHeadline(
        mean_score=float(row[0]),
        share_at_or_above_cut=float(row[1]),
        cut=cut,
        workers=float(row[2]),
        soc_codes=int(row[3]),
        soc_codes_without_employment=int(row[4]),
        employment=employment,
    )
