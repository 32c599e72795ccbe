"""Observed usage from the Anthropic Economic Index (release 2025-02-10) beside potential exposure.

The release gives, per O*NET task statement (lower-cased), the share of Claude.ai conversations
that Anthropic's Clio pipeline mapped to it (`pct`, percent, summing to 100), and the share of
conversations by interaction pattern. Observed: Claude.ai Free and Pro conversations of the
Claude 3.5 Sonnet era, December 2024 - January 2025 (RELEASE).

Each statement is matched to O*NET tasks by its normalised text (kb.exposure.onet_tasks.
normalise_statement). A statement listed under several occupations matches each of their tasks;
its share is then split equally among them (`pct_split`), so that occupation usage sums to the
matched share and no conversation counts twice. `usage_share_unsplit` gives every occupation the
whole share of each of its statements instead (the plain sum of its tasks' shares).

Interaction patterns: directive and feedback loop are automation; task iteration, learning and
validation augmentation (Handa et al. 2025); 'none' is neither. The file's rows sum to about 84%:
the rest of the conversations had no pattern assigned, and the split is reported both ways.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

import duckdb
import pandas as pd

from kb import sources
from kb.errors import Problem, ValidationError
from kb.exposure.onet_tasks import normalise_statement, stage_statement_keys

if TYPE_CHECKING:  # pragma: no cover
    from kb.build import BuildContext
    from kb.exposure.oews import EmploymentVintage

DATASET: Final = "aei-2025-02-10"
TASK_USAGE_FILE: Final = "onet_task_mappings.csv"
COLLABORATION_FILE: Final = "automation_vs_augmentation.csv"
TASK_STATEMENTS_FILE: Final = "onet_task_statements.csv"


@dataclass(frozen=True)
class AEIRelease:
    """What one Economic Index release observed, and when."""

    release: str  # the release's folder date
    published: str
    observed_product: str
    observed_model: str  # the model era the conversations come from
    observed_release_id: str  # the model's id on kb's timeline (data/releases/)
    window_start: str  # partial ISO dates: the observation window
    window_end: str
    citation: str
    url: str
    licence: str


RELEASE: Final = AEIRelease(
    release="2025-02-10",
    published="2025-02-10",
    observed_product="Claude.ai (Free and Pro)",
    observed_model="Claude 3.5 Sonnet",
    observed_release_id="claude-3.5-sonnet",  # from Epoch AI (living sources)
    window_start="2024-12",
    window_end="2025-01",
    citation="Handa, K., Tamkin, A., McCain, M., Huang, S., Durmus, E., et al. (2025). Which "
    "Economic Tasks are Performed with AI? Evidence from Millions of Claude Conversations. "
    "arXiv:2503.04761.",
    url="https://huggingface.co/datasets/Anthropic/EconomicIndex/tree/main/release_2025_02_10",
    licence="CC BY (data; the dataset card's metadata says MIT): attribute Anthropic",
)

INTERACTION_MODES: Final[dict[str, str]] = {
    "directive": "automation",
    "feedback loop": "automation",
    "task iteration": "augmentation",
    "learning": "augmentation",
    "validation": "augmentation",
    "none": "none",
}
COLLABORATION_MODES: Final[dict[str, str]] = {
    "automation": "Claude does the task with little back-and-forth (directive, feedback loop)",
    "augmentation": "the person works with Claude (task iteration, learning, validation)",
    "none": "no interaction pattern (the conversation was not about a task)",
}
PCT_TOTAL_TOLERANCE: Final = 1e-6


def _read_csv(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ValidationError(
            [Problem(path.name, "file", None, f"cannot be read as CSV: {exc}")]
        ) from exc
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValidationError(
            [Problem(path.name, "header", c, "column is missing") for c in missing],
            f"{path.name} is not the Economic Index file kb expects (see data/sources.yml).",
        )
    return frame


def _shares(frame: pd.DataFrame, key: str, file: str) -> tuple[pd.Series, list[Problem]]:
    pct = pd.to_numeric(frame["pct"], errors="coerce")
    problems = [
        Problem(file, f"line {i + 2}", "pct", f"{frame['pct'].iloc[i]!r} is not a share (0-100)")
        for i in (pct.isna() | (pct < 0) | (pct > 100)).to_numpy().nonzero()[0]
    ]
    keys = frame[key].str.strip()
    problems += [
        Problem(file, f"line {i + 2}", key, f"{keys.iloc[i]!r} appears twice")
        for i in keys.duplicated().to_numpy().nonzero()[0]
    ]
    problems += [
        Problem(file, f"line {i + 2}", key, "is empty") for i in keys.eq("").to_numpy().nonzero()[0]
    ]
    return pct, problems


def read_task_usage(path: Path) -> pd.DataFrame:
    """onet_task_mappings.csv -> task_name, pct (percent of conversations), statement_key.

    The shares must sum to 100 (every conversation mapped to one task)."""
    frame = _read_csv(path, ("task_name", "pct"))
    pct, problems = _shares(frame, "task_name", path.name)
    if not problems and abs(pct.sum() - 100.0) > PCT_TOTAL_TOLERANCE:
        problems.append(Problem(path.name, "file", "pct", f"sums to {pct.sum():.6f}, not 100"))
    if problems:
        raise ValidationError(problems, f"{path.name} differs from the pinned release.")
    names = frame["task_name"].str.strip()
    return pd.DataFrame(
        {
            "task_name": names,
            "pct": pct.astype(float),
            "statement_key": names.map(normalise_statement),
        }
    )


def read_collaboration(path: Path) -> pd.DataFrame:
    """automation_vs_augmentation.csv -> interaction_type, pct, mode (INTERACTION_MODES)."""
    frame = _read_csv(path, ("interaction_type", "pct"))
    pct, problems = _shares(frame, "interaction_type", path.name)
    types = frame["interaction_type"].str.strip()
    problems += [
        Problem(path.name, f"line {i + 2}", "interaction_type",
                f"{types.iloc[i]!r} is not one of {', '.join(INTERACTION_MODES)}")
        for i in (~types.isin(list(INTERACTION_MODES))).to_numpy().nonzero()[0]
    ]  # fmt: skip
    if problems:
        raise ValidationError(problems, f"{path.name} differs from the pinned release.")
    return pd.DataFrame(
        {"interaction_type": types, "pct": pct.astype(float), "mode": types.map(INTERACTION_MODES)}
    )


@dataclass(frozen=True)
class CollaborationSplit:
    """The automation / augmentation split of conversations, in percent."""

    automation: float  # percent of all conversations
    augmentation: float
    none: float
    unassigned: float  # 100 minus the file's rows: conversations with no pattern in the file

    @property
    def automation_share(self) -> float:
        """Automation as a fraction of the conversations classed automation or augmentation."""
        return self.automation / (self.automation + self.augmentation)

    @property
    def augmentation_share(self) -> float:
        return self.augmentation / (self.automation + self.augmentation)


def collaboration_split(collaboration: pd.DataFrame) -> CollaborationSplit:
    by_mode = collaboration.groupby("mode")["pct"].sum()
    return CollaborationSplit(
        automation=float(by_mode.get("automation", 0.0)),
        augmentation=float(by_mode.get("augmentation", 0.0)),
        none=float(by_mode.get("none", 0.0)),
        unassigned=100.0 - float(collaboration["pct"].sum()),
    )


@dataclass(frozen=True)
class TaskMatch:
    """Economic Index statements matched to a set of O*NET tasks by normalised statement."""

    # One row per (statement, task) pair: task_name, onet_code, task_id, pct (the statement's
    # share), tasks (how many tasks the statement matched), pct_split (pct / tasks).
    matches: pd.DataFrame = field(compare=False)
    # Statements that match no task: task_name, pct. Sorted by share, largest first.
    unmatched: pd.DataFrame = field(compare=False)
    statements: int  # statements in the release
    statements_matched: int
    pct_matched: float  # percent of conversations on matched statements (0-100)

    @property
    def match_rate(self) -> float:
        """Share of statements that match at least one task."""
        return self.statements_matched / self.statements if self.statements else float("nan")


def match_tasks(usage: pd.DataFrame, tasks: pd.DataFrame) -> TaskMatch:
    """Match read_task_usage's statements to tasks (onet_code, task_id, statement)."""
    keyed = tasks[["onet_code", "task_id", "statement"]].assign(
        statement_key=tasks["statement"].map(normalise_statement)
    )
    pairs = usage.merge(keyed[["onet_code", "task_id", "statement_key"]], on="statement_key")
    pairs["tasks"] = pairs.groupby("task_name")["task_id"].transform("size")
    pairs["pct_split"] = pairs["pct"] / pairs["tasks"]
    matches = pairs[["task_name", "onet_code", "task_id", "pct", "tasks", "pct_split"]]
    matched = usage["task_name"].isin(set(matches["task_name"]))
    unmatched = usage.loc[~matched, ["task_name", "pct"]].sort_values(
        ["pct", "task_name"], ascending=[False, True], ignore_index=True
    )
    return TaskMatch(
        matches=matches.sort_values(["task_name", "onet_code", "task_id"], ignore_index=True),
        unmatched=unmatched,
        statements=len(usage),
        statements_matched=int(matched.sum()),
        pct_matched=float(usage.loc[matched, "pct"].sum()),
    )


def occupation_usage(match: TaskMatch, vintage: EmploymentVintage | None = None) -> pd.DataFrame:
    """Usage per occupation: onet_code, usage_share (percent of all conversations, statements
    shared by several tasks split equally), usage_share_unsplit (each task's whole statement
    share), tasks_used. Only occupations with at least one matched task. With an employment
    vintage (kb.exposure.oews.build_vintage), also the unit_code and employment of the unit it
    is counted in (NULL when the vintage leaves it out)."""
    frame = match.matches
    usage = (
        frame.groupby("onet_code", as_index=False)
        .agg(
            usage_share=("pct_split", "sum"),
            usage_share_unsplit=("pct", "sum"),
            tasks_used=("task_id", "nunique"),
        )
        .sort_values("usage_share", ascending=False, ignore_index=True)
    )
    if vintage is None:
        return usage
    units = vintage.assignments[["onet_code", "unit_code", "employment"]]
    return usage.merge(units, on="onet_code", how="left")


def usage_by_label(match: TaskMatch, labels: pd.DataFrame) -> pd.DataFrame:
    """How observed usage falls on potential exposure: per rater and label (E0, E1, E2) of the
    matched tasks (labels: onet_code, task_id, rater, label), the percent of all conversations
    (pct) and the fraction of the matched conversations (share_of_matched)."""
    joined = match.matches.merge(labels, on=["onet_code", "task_id"])
    out = joined.groupby(["rater", "label"], as_index=False).agg(pct=("pct_split", "sum"))
    out["share_of_matched"] = out["pct"] / out.groupby("rater")["pct"].transform("sum")
    return out.sort_values(["rater", "label"], ignore_index=True)


def tasks_with_keys(con: duckdb.DuckDBPyConnection, keys: pd.Series) -> pd.DataFrame:
    """The labelled tasks (onet_code, task_id, statement) whose statement normalises to one of
    these keys: all match_tasks can match, without a frame of every labelled task (at 100x the
    data, most of this step's time and memory)."""
    stage_statement_keys(con)
    con.register("aei_wanted_keys", pd.DataFrame({"statement_key": keys.astype(object)}))
    try:
        return con.execute(
            "SELECT t.onet_code, t.task_id, t.statement FROM tasks t "
            "SEMI JOIN (SELECT statement FROM labelled_statement_keys WHERE statement_key IN "
            "(SELECT statement_key FROM aei_wanted_keys)) k USING (statement) "
            "ORDER BY t.onet_code, t.task_id"
        ).df()
    finally:
        con.unregister("aei_wanted_keys")
        con.execute("DROP TABLE labelled_statement_keys")


def load_into(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> None:
    """Build step (after the exposure data, which fills tasks): the release record, its task
    usage matched to the labelled tasks, and its interaction patterns. Reads every file first."""
    usage = read_task_usage(sources.resolve(DATASET, TASK_USAGE_FILE, ctx))
    collaboration = read_collaboration(sources.resolve(DATASET, COLLABORATION_FILE, ctx))
    match = match_tasks(usage, tasks_with_keys(con, usage["statement_key"]))
    r = RELEASE
    con.execute(
        "INSERT INTO aei_releases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [r.release, r.published, r.observed_product, r.observed_model, r.observed_release_id,
         r.window_start, r.window_end, r.citation, r.url, r.licence],
    ).fetchall()  # fmt: skip
    counts = match.matches.groupby("task_name").size().rename("labelled_tasks")
    frames = {
        "aei_usage_frame": usage.join(counts, on="task_name").fillna({"labelled_tasks": 0}),
        "aei_matches_frame": match.matches,
        "aei_collaboration_frame": collaboration,
    }
    for name, frame in frames.items():
        con.register(name, frame)
    try:
        con.execute(
            "INSERT INTO aei_task_usage SELECT ?, task_name, statement_key, pct, labelled_tasks "
            "FROM aei_usage_frame ORDER BY task_name",
            [r.release],
        ).fetchall()
        con.execute(
            "INSERT INTO aei_task_matches SELECT ?, task_name, onet_code, task_id, pct_split "
            "FROM aei_matches_frame ORDER BY task_name, onet_code, task_id",
            [r.release],
        ).fetchall()
        con.execute(
            "INSERT INTO aei_collaboration SELECT ?, interaction_type, pct, mode "
            "FROM aei_collaboration_frame ORDER BY interaction_type",
            [r.release],
        ).fetchall()
    finally:
        for name in frames:
            con.unregister(name)
    ctx.counts["aei_task_usage"] = len(usage)
    ctx.counts["aei_task_matches"] = len(match.matches)


# --- Reading the store ----------------------------------------------------------------------


def match_summary(
    con: duckdb.DuckDBPyConnection, release: str = RELEASE.release
) -> dict[str, float]:
    """How the release's statements matched the labelled tasks: statements, matched, the match
    rate, and the percent of conversations on matched statements."""
    statements, matched, pct = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE labelled_tasks > 0), "
        "coalesce(sum(pct) FILTER (WHERE labelled_tasks > 0), 0) FROM aei_task_usage "
        "WHERE release = ?",
        [release],
    ).fetchall()[0]
    return {
        "statements": int(statements),
        "statements_matched": int(matched),
        "match_rate": matched / statements if statements else float("nan"),
        "pct_matched": float(pct),
    }


def unmatched(con: duckdb.DuckDBPyConnection, release: str = RELEASE.release) -> pd.DataFrame:
    """Statements that match no labelled task, largest share first (the view
    aei_unmatched_tasks)."""
    return con.execute(
        "SELECT task_name, pct FROM aei_unmatched_tasks WHERE release = ?", [release]
    ).df()


def stored_occupation_usage(
    con: duckdb.DuckDBPyConnection, employment: str = "oews-2025", release: str = RELEASE.release
) -> pd.DataFrame:
    """Usage per labelled occupation with the employment of the unit `employment` counts it in
    (the view aei_occupation_usage), most used first."""
    from kb.exposure.recipe import check_employment

    return con.execute(
        "SELECT onet_code, title, usage_share, usage_share_unsplit, tasks_used, unit_code, "
        "employment FROM aei_occupation_usage WHERE release = ? AND employment_recipe = ? "
        "ORDER BY usage_share DESC, onet_code",
        [release, check_employment(employment)],
    ).df()


def stored_usage_by_label(
    con: duckdb.DuckDBPyConnection, release: str = RELEASE.release
) -> pd.DataFrame:
    """Share of conversations on tasks each rater labelled E0, E1, E2 (aei_usage_by_label)."""
    return con.execute(
        "SELECT rater, label, pct, share_of_matched FROM aei_usage_by_label WHERE release = ? "
        "ORDER BY rater, label",
        [release],
    ).df()


def gaps(
    con: duckdb.DuckDBPyConnection,
    rater: str = "human",
    measure: str = "beta",
    exposure_cut: float = 0.5,
    usage_percentile: float = 0.9,
    release: str = RELEASE.release,
) -> pd.DataFrame:
    """Occupations with potential exposure above exposure_cut and no observed conversation
    ('exposed, not used'), and occupations at or above the usage_percentile of usage whose
    exposure is at most 0.1 ('used, not exposed')."""
    from kb.exposure.recipe import check_measure

    return con.execute(
        "WITH ranked AS (SELECT *, percent_rank() OVER (ORDER BY usage_share) AS usage_percentile "
        "FROM aei_exposure_usage WHERE release = ? AND rater = ? AND measure = ?) "
        "SELECT CASE WHEN exposure > ? THEN 'exposed, not used' ELSE 'used, not exposed' END "
        "AS grp, onet_code, title, exposure, usage_share, usage_percentile FROM ranked "
        "WHERE (exposure > ? AND usage_share = 0) OR (usage_percentile >= ? AND exposure <= 0.1) "
        "ORDER BY grp, usage_share DESC, exposure DESC, onet_code",
        [release, rater, check_measure(measure), exposure_cut, exposure_cut, usage_percentile],
    ).df()


def rank_correlation(
    con: duckdb.DuckDBPyConnection,
    rater: str = "human",
    measure: str = "beta",
    release: str = RELEASE.release,
) -> tuple[float, int]:
    """(Spearman's rho, occupations) of potential exposure against observed Claude usage over
    the labelled O*NET occupations (kb/sql/aei_rank_correlation.sql)."""
    from kb import sql
    from kb.exposure.recipe import check_measure

    params = {"release": release, "rater": rater, "measure": check_measure(measure)}
    rho, n = sql.execute(con, "aei_rank_correlation", params).fetchall()[0]
    return float(rho), int(n)


def correlations(
    con: duckdb.DuckDBPyConnection, rater: str = "human", measure: str = "beta"
) -> pd.DataFrame:
    """Spearman's rank correlation of potential exposure with each observed usage source, at
    occupation level: the Economic Index over O*NET occupations, "Working with AI" over the
    SOC codes it scores. One row per source: source, level, n, rho."""
    from kb.usage import working_with_ai

    rho, n = rank_correlation(con, rater, measure)
    wwai = working_with_ai.rank_correlation(con, rater, measure)
    return pd.DataFrame(
        [
            {"source": f"Anthropic Economic Index {RELEASE.release} (Claude usage share)",
             "level": "O*NET occupation", "n": n, "rho": rho},
            {"source": "Working with AI (Bing Copilot AI applicability score)",
             "level": "SOC code", "n": wwai.n, "rho": wwai.rho},
        ]
    )  # fmt: skip
