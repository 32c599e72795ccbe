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
from typing import Any

import duckdb
import pandas as pd

from kb import sources, store
from kb.errors import KBError, Problem, ValidationError

DATASET = "working-with-ai"
SCORES_FILE = "soc_ai_applicability_scores.csv"
METRICS_FILE = "soc_metrics.csv"
MEASURE = "ai_applicability"
EMPLOYMENT_VINTAGES = ("oews-2021", "projections-2022")
MEASURES = {"alpha": "E1 only", "beta": "E1 + 0.5 E2", "zeta": "E1 + E2"}
MEASURE_ALIASES = {"gamma": "zeta"}
# "Highly exposed but little used" (and the reverse): the exposure percentile rank is at least
# 40 points above the usage percentile rank (or below it), among matched SOC codes.
DEFAULT_MIN_GAP = 0.4
# The usage headline: employment-weighted mean score and the share of workers in occupations
# scoring at least this much (about the top quarter of SOC codes: the upper quartile is 0.236).
DEFAULT_USAGE_CUT = 0.25

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

SQL_INSERT = """
INSERT INTO observed_usage
SELECT soc_code, title, score, score_user, score_ai, coverage_user, coverage_ai,
       completion_user, completion_ai, impact_scope_user, impact_scope_ai,
       feedback_positive_user, feedback_positive_ai, ? AS source_id
FROM incoming_usage
"""
SQL_SOURCE_ID = "SELECT source_id FROM exposure_sources WHERE measure = ?"

# Occupation exposure (equal weight per task, the paper's tables) per O*NET occupation, for one
# measure and rater, from the exposure views (kb/schema/25_exposure_views.sql).
SQL_OCCUPATION_EXPOSURE = """
SELECT onet_code, exposure
FROM occupation_exposure
WHERE measure = ? AND rater = ? AND weighting = 'equal'
"""

# Employment per code for one vintage, at its finest level (OEWS lists 7 combined codes such as
# 13-1020 both as 'broad' and 'detailed'; the projections' occupations are 'line item' rows).
SQL_EMPLOYMENT = """
SELECT code, employment FROM employment
WHERE vintage = ? AND level IN ('detailed', 'line item')
"""

# One row per SOC code in the usage data: its usage score, the mean exposure of the O*NET
# occupations the crosswalk maps to it (NULL when none), and its employment (NULL if none).
SQL_COMPARISON = f"""
WITH occ AS ({SQL_OCCUPATION_EXPOSURE}),
emp AS ({SQL_EMPLOYMENT}),
soc AS (
    SELECT o.nem_code AS soc_code, avg(occ.exposure) AS exposure,
           count(*) AS onet_occupations,
           string_agg(o.onet_code, ' ' ORDER BY o.onet_code) AS onet_codes
    FROM occ JOIN occupations o USING (onet_code)
    WHERE o.nem_code IS NOT NULL
    GROUP BY o.nem_code
)
SELECT u.soc_code, u.title, soc.exposure, u.score AS usage_score, e.employment,
       coalesce(soc.onet_occupations, 0) AS onet_occupations, soc.onet_codes
FROM observed_usage u
LEFT JOIN soc USING (soc_code)
LEFT JOIN emp e ON e.code = u.soc_code
"""
SQL_COMPARISON_SORTED = SQL_COMPARISON + "ORDER BY soc_code\n"

# Coverage of each matching rule, seen from each side (codes, O*NET occupations, employment).
SQL_COVERAGE = f"""
WITH emp AS ({SQL_EMPLOYMENT}),
onet AS (
    SELECT o.onet_code, o.nem_code AS crosswalk_code, o.soc_code AS truncated_code
    FROM occupations o
    WHERE o.onet_code IN (SELECT DISTINCT onet_code FROM task_labels)
),
rules AS (
    SELECT 'crosswalk' AS rule, onet_code, crosswalk_code AS code FROM onet
    UNION ALL
    SELECT 'truncate', onet_code, truncated_code FROM onet
),
codes AS (
    SELECT rule, code, count(*) AS occupations FROM rules WHERE code IS NOT NULL GROUP BY ALL
),
sides AS (
    SELECT r.rule, c.code, c.occupations, u.soc_code IS NOT NULL AS in_usage,
           'exposure' AS side
    FROM (SELECT DISTINCT rule FROM rules) r JOIN codes c USING (rule)
    LEFT JOIN observed_usage u ON u.soc_code = c.code
    UNION ALL
    SELECT r.rule, u.soc_code, coalesce(c.occupations, 0), c.code IS NOT NULL, 'usage'
    FROM (SELECT DISTINCT rule FROM rules) r CROSS JOIN observed_usage u
    LEFT JOIN codes c ON c.rule = r.rule AND c.code = u.soc_code
)
SELECT s.rule, s.side, s.in_usage AS matched, count(*) AS soc_codes,
       sum(s.occupations)::BIGINT AS onet_occupations,
       coalesce(sum(e.employment), 0) AS employment, count(e.employment) AS codes_with_employment
FROM sides s
LEFT JOIN emp e ON e.code = s.code
GROUP BY ALL
ORDER BY s.rule, s.side, matched DESC
"""


# Spearman's rho over matched SOC codes: Pearson's r of the average ranks (ties share their
# mean rank).
SQL_SPEARMAN = f"""
WITH pairs AS (
    SELECT exposure, usage_score FROM ({SQL_COMPARISON})
    WHERE exposure IS NOT NULL
),
ranked AS (
    SELECT rank() OVER (ORDER BY exposure)
             + (count(*) OVER (PARTITION BY exposure) - 1) / 2.0 AS rx,
           rank() OVER (ORDER BY usage_score)
             + (count(*) OVER (PARTITION BY usage_score) - 1) / 2.0 AS ry
    FROM pairs
)
SELECT corr(rx, ry), count(*) FROM ranked
"""

# The usage headline: employment-weighted mean score and share of workers at or above a cut.
SQL_HEADLINE = f"""
WITH emp AS ({SQL_EMPLOYMENT})
SELECT sum(u.score * e.employment) / sum(e.employment),
       sum(CASE WHEN u.score >= ? THEN e.employment ELSE 0 END) / sum(e.employment),
       sum(e.employment), count(e.employment), count(*) - count(e.employment)
FROM observed_usage u
LEFT JOIN emp e ON e.code = u.soc_code
"""


def _problems_in(frame: pd.DataFrame, name: str, columns: dict[str, str]) -> list[Problem]:
    problems: list[Problem] = []
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        return [Problem(name, "line 1", c, "column is missing") for c in missing]
    codes = frame["SOC Code"].astype("string")
    bad = ~codes.str.fullmatch(r"\d{2}-\d{4}").fillna(False)
    for i in frame.index[bad]:
        problems.append(Problem(name, f"line {i + 2}", "SOC Code", f"{codes[i]!r} is not a SOC code"))
    for i in frame.index[codes.duplicated()]:
        problems.append(Problem(name, f"line {i + 2}", "SOC Code", f"{codes[i]} appears twice"))
    for col in columns:
        if col in ("SOC Code", "title"):
            continue
        values = pd.to_numeric(frame[col], errors="coerce")
        for i in frame.index[values.isna() | (values < 0) | (values > 1)]:
            problems.append(Problem(name, f"line {i + 2}", col,
                                    f"{frame.at[i, col]} is not a number between 0 and 1"))
    return problems


def read_usage(scores_path: Any, metrics_path: Any) -> pd.DataFrame:
    """The two upstream files joined by SOC code, checked; raises ValidationError."""
    scores = pd.read_csv(scores_path, dtype={"SOC Code": "string"})
    metrics = pd.read_csv(metrics_path, dtype={"SOC Code": "string"})
    problems = _problems_in(scores, SCORES_FILE, SCORE_COLUMNS) + _problems_in(
        metrics, METRICS_FILE, METRIC_COLUMNS)
    if not problems:
        missing = set(scores["SOC Code"]) ^ set(metrics["SOC Code"])
        problems += [Problem(SCORES_FILE, "file", "SOC Code",
                             f"{code} is in only one of {SCORES_FILE} and {METRICS_FILE}")
                     for code in sorted(missing)]
    if problems:
        raise ValidationError(problems[:50], "The upstream usage files do not have the expected "
                                             "content; check data/sources.yml and the mirror.")
    frame = scores[list(SCORE_COLUMNS)].rename(columns=SCORE_COLUMNS).merge(
        metrics[list(METRIC_COLUMNS)].rename(columns=METRIC_COLUMNS), on="soc_code")
    return frame


def load_into(con: duckdb.DuckDBPyConnection, ctx: Any) -> int:
    """Load the usage scores (after exposure_sources has its record for the measure)."""
    row = store.first_row(con, SQL_SOURCE_ID, [MEASURE])
    if row is None:
        raise KBError(f"No exposure source describes the measure {MEASURE!r}.",
                      "Add its record to data/exposure_sources.yml.")
    frame = read_usage(sources.resolve(DATASET, SCORES_FILE, ctx),
                       sources.resolve(DATASET, METRICS_FILE, ctx))
    con.register("incoming_usage", frame)
    try:
        con.execute(SQL_INSERT, [row[0]])
    finally:
        con.unregister("incoming_usage")
    ctx.counts["observed_usage"] = len(frame)
    return len(frame)


def _measure(measure: str) -> str:
    name = MEASURE_ALIASES.get(measure, measure)
    if name not in MEASURES:
        raise KBError(f"Unknown measure {measure!r}.", f"Use one of: {', '.join(MEASURES)}.")
    return name


def _check(con: duckdb.DuckDBPyConnection, rater: str, employment: str) -> None:
    raters = [r[0] for r in con.execute("SELECT rater FROM raters ORDER BY rater").fetchall()]
    if rater not in raters:
        raise KBError(f"Unknown rater {rater!r}.", f"Raters in the store: {', '.join(raters)}.")
    if employment not in EMPLOYMENT_VINTAGES:
        raise KBError(f"Unknown employment vintage {employment!r}.",
                      f"Use one of: {', '.join(EMPLOYMENT_VINTAGES)}.")


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
    _check(con, rater, employment)
    return con.execute(SQL_COMPARISON_SORTED, [_measure(measure), rater, employment]).df()


@dataclass(frozen=True)
class RankCorrelation:
    """Spearman's rank correlation between exposure and usage over matched SOC codes."""

    rho: float
    n: int
    rater: str
    measure: str

    def describe(self) -> str:
        return (f"Spearman rho = {self.rho:.3f} between {self.rater} {self.measure} exposure and "
                f"observed usage over {self.n} SOC codes")


def _ranks(values: pd.Series) -> pd.Series:
    return values.rank(method="average")


def rank_correlation(
    con: duckdb.DuckDBPyConnection, rater: str = "gpt4", measure: str = "beta"
) -> RankCorrelation:
    """Spearman's rho over matched SOC codes: Pearson's r of the average ranks (ties share
    their mean rank), computed in SQL."""
    _check(con, rater, "oews-2021")
    name = _measure(measure)
    rho, n = store.first_row(con, SQL_SPEARMAN, [name, rater, "oews-2021"])
    return RankCorrelation(rho=float(rho), n=int(n), rater=rater, measure=name)


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
        raise KBError(f"The minimum rank gap must be in (0, 1], not {min_gap}.",
                      "e.g. 0.4 for 40 percentile points.")
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
    columns = ["group", "soc_code", "title", "exposure", "usage_score", "exposure_pct",
               "usage_pct", "rank_gap", "employment"]
    return pd.concat([exposed, used], ignore_index=True)[columns]


def coverage(con: duckdb.DuckDBPyConnection, employment: str = "oews-2021") -> pd.DataFrame:
    """Matched and unmatched SOC codes on each side under each rule, with their employment."""
    if employment not in EMPLOYMENT_VINTAGES:
        raise KBError(f"Unknown employment vintage {employment!r}.",
                      f"Use one of: {', '.join(EMPLOYMENT_VINTAGES)}.")
    return con.execute(SQL_COVERAGE, [employment]).df()


def weighted_distribution(
    con: duckdb.DuckDBPyConnection,
    rater: str = "gpt4",
    measure: str = "beta",
    bins: int = 10,
    employment: str = "oews-2021",
) -> pd.DataFrame:
    """Share of workers by score bin for exposure and usage, over matched SOC codes with employment.

    Both measures are on 0-1; bins are equal-width [k/bins, (k+1)/bins) with 1.0 in the last.
    """
    if bins < 1 or bins > 100:
        raise KBError(f"bins must be between 1 and 100, not {bins}.")
    frame = comparison(con, rater, measure, employment).dropna(subset=["exposure", "employment"])
    total = frame["employment"].sum()
    out = []
    for column, label in (("exposure", f"exposure ({rater} {_measure(measure)})"),
                          ("usage_score", "observed usage (AI applicability)")):
        index = (frame[column] * bins).clip(upper=bins - 1e-9).astype(int)
        by_bin = frame.groupby(index)["employment"].sum().reindex(range(bins), fill_value=0)
        for k, workers in by_bin.items():
            out.append({"measure": label, "bin_start": k / bins, "bin_end": (k + 1) / bins,
                        "workers": float(workers), "share_of_workers": float(workers / total)})
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
        return (f"employment-weighted mean score {self.mean_score:.3f}; "
                f"{self.share_at_or_above_cut:.1%} of workers in occupations scoring >= "
                f"{self.cut:g} ({self.soc_codes} SOC codes, {self.workers:,.0f} workers, "
                f"{self.employment} employment; {self.soc_codes_without_employment} code(s) "
                "without employment left out)")


def headline(
    con: duckdb.DuckDBPyConnection, cut: float = DEFAULT_USAGE_CUT, employment: str = "oews-2021"
) -> UsageHeadline:
    """The usage measure's headline figures, weighted by employment over every usage SOC code."""
    if not 0 <= cut <= 1:
        raise KBError(f"The usage cut must be between 0 and 1, not {cut}.")
    if employment not in EMPLOYMENT_VINTAGES:
        raise KBError(f"Unknown employment vintage {employment!r}.")
    row = store.first_row(con, SQL_HEADLINE, [employment, cut])
    return UsageHeadline(mean_score=float(row[0]), share_at_or_above_cut=float(row[1]), cut=cut,
                         workers=float(row[2]), soc_codes=int(row[3]),
                         soc_codes_without_employment=int(row[4]), employment=employment)

