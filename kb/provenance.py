"""Exposure sources: who or what produced each exposure measure, how and when, on the timeline.

Built-in records live in data/exposure_sources.yml (the human and GPT-4 label sets of "GPTs are
GPTs" and the "Working with AI" usage measure); ingested label sets carry their own record in
data/labels/<rater>.yml. `load_into` (a `kb build` step, after the releases and the exposure
data) loads the built-in ones; kb.labels adds the ingested ones. The functions below answer
"which release produced this label set" (`annotations`, for the timeline) and "what did we know
when" (`history`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd
import yaml

from kb import dates, exposure, sql, store, usage
from kb.errors import Problem, ValidationError
from kb.vocabulary import LEVELS, SOURCE_KINDS

if TYPE_CHECKING:  # kb.build imports this module for its step
    from kb.build import BuildContext

SOURCES_FILE = "exposure_sources.yml"
COLUMNS = (
    "source_id",
    "rater",
    "measure",
    "kind",
    "level",
    "produced_by_release",
    "producer",
    "method",
    "date",
    "date_note",
    "period_start",
    "period_end",
    "published",
    "citation",
    "url",
    "licence",
    "note",
    "origin",
    "tasks_labelled",
)
REQUIRED = ("source_id", "kind", "level", "producer", "method", "date", "citation")
# The headline of a label set: share of workers with at least this share of tasks exposed,
# under the paper's recipe (beta, equal weights, '>' as the authors' code, paper employment).
HEADLINE_THRESHOLDS = (0.1, 0.5)

SQL_INSERT = (  # built from the COLUMNS constant; the values travel as parameters
    f"INSERT INTO exposure_sources ({', '.join(COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join('?' for _ in COLUMNS)})"
)
SQL_RELEASE_EXISTS = "SELECT 1 FROM releases WHERE id = ?"
SQL_RATER_EXISTS = "SELECT 1 FROM raters WHERE rater = ?"
SQL_COUNT = "SELECT count(*) FROM exposure_sources"


def _entry_problems(
    entry: Any, index: int, file: str, con: duckdb.DuckDBPyConnection
) -> list[Problem]:
    if not isinstance(entry, dict):
        return [Problem(file, f"record {index}", None, "is not a mapping")]
    where = f"record {index} (id {entry.get('source_id')!r})"
    problems = [Problem(file, where, key, "is missing") for key in REQUIRED if not entry.get(key)]
    unknown = sorted(set(entry) - set(COLUMNS) - {"labels_file", "description"})
    problems += [Problem(file, where, key, "is not a known field") for key in unknown]
    if entry.get("kind") and entry["kind"] not in SOURCE_KINDS:
        problems.append(
            Problem(file, where, "kind", f"{entry['kind']!r} is not one of {tuple(SOURCE_KINDS)}")
        )
    if entry.get("level") and entry["level"] not in LEVELS:
        problems.append(
            Problem(file, where, "level", f"{entry['level']!r} is not one of {tuple(LEVELS)}")
        )
    for key in ("date", "period_start", "period_end"):
        if entry.get(key) is not None and dates.parse_day(entry[key]) is None:
            problems.append(Problem(file, where, key, f"{entry[key]!r} is not a date (YYYY-MM-DD)"))
    release = entry.get("produced_by_release")
    if release and store.first_row(con, SQL_RELEASE_EXISTS, [release]) is None:
        problems.append(
            Problem(
                file,
                where,
                "produced_by_release",
                f"release {release!r} is not in the timeline (data/releases/)",
            )
        )
    rater = entry.get("rater")
    if rater and store.first_row(con, SQL_RATER_EXISTS, [rater]) is None:
        problems.append(
            Problem(file, where, "rater", f"rater {rater!r} has no labels in the store")
        )
    return problems


def read_builtin(data_dir: Path, con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The records of data/exposure_sources.yml, checked against the store."""
    path = data_dir / SOURCES_FILE
    if not path.exists():
        return []
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ValidationError(
            [Problem(SOURCES_FILE, "file", None, f"cannot be read: {exc}")]
        ) from exc
    entries = doc.get("sources") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise ValidationError(
            [Problem(SOURCES_FILE, "file", "sources", "must be a list of records")]
        )
    problems: list[Problem] = []
    seen: set[Any] = set()
    for i, entry in enumerate(entries, start=1):
        problems += _entry_problems(entry, i, SOURCES_FILE, con)
        if isinstance(entry, dict):
            if entry.get("source_id") in seen:
                problems.append(
                    Problem(
                        SOURCES_FILE,
                        f"record {i}",
                        "source_id",
                        f"{entry['source_id']!r} appears twice",
                    )
                )
            seen.add(entry.get("source_id"))
    if problems:
        raise ValidationError(problems, "Fix data/exposure_sources.yml and run `kb build` again.")
    return entries


def insert_source(con: duckdb.DuckDBPyConnection, entry: dict[str, Any]) -> None:
    """One exposure_sources row from a record (built-in or ingested)."""
    values = []
    for key in COLUMNS:
        value = entry.get(key)
        if key in ("date", "period_start", "period_end") and value is not None:
            value = dates.parse_day(value)
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, str):
            value = value.strip()
        values.append(value)
    con.execute(SQL_INSERT, values)


def load_into(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> None:
    """Build step: the built-in sources of data/exposure_sources.yml."""
    for entry in read_builtin(ctx.data_dir, con):
        insert_source(con, {**entry, "origin": "built-in"})
    ctx.counts["exposure_sources"] = count(con)


CLAUDE_USAGE_MEASURE = "claude_usage_share"  # data/exposure_sources.yml: the Economic Index
# Whose labels the Economic Index headline is read against, in display order.
CLAUDE_USAGE_RATERS = {"human": "humans", "gpt4": "GPT-4"}


def _claude_usage_rows(
    con: duckdb.DuckDBPyConnection, base: dict[str, Any]
) -> list[dict[str, Any]]:
    """The Economic Index's headline: the share of matched conversations on tasks that humans
    (and GPT-4) labelled E1 or E2."""
    from kb.usage import aei

    labels = aei.stored_usage_by_label(con)
    summary = aei.match_summary(con)
    rows = []
    for rater, name in CLAUDE_USAGE_RATERS.items():
        mine = labels[(labels["rater"] == rater) & labels["label"].isin(["E1", "E2"])]
        if mine.empty:
            continue
        rows.append(
            {
                **base,
                "figure": f"share of Claude conversations on tasks {name} labelled E1 or E2",
                "value": float(mine["share_of_matched"].sum()),
                "recipe": (
                    f"Economic Index {aei.RELEASE.release}: conversations on the "
                    f"{summary['match_rate']:.1%} of task statements that match a labelled task "
                    f"({summary['pct_matched']:.1f}% of all conversations)"
                ),
            }
        )
    return rows


def releases_after(con: duckdb.DuckDBPyConnection, source: str) -> pd.DataFrame:
    """The releases on the timeline dated after an exposure source was made (by source_id or
    rater name): what its labels or usage could not have seen. Oldest first."""
    from kb.errors import KBError

    found = store.first_row(
        con,
        "SELECT source_id, date FROM exposure_sources WHERE source_id = ? OR rater = ? "
        "OR measure = ?",
        [source, source, source],
    )
    if found is None:
        known = [r for (r,) in con.execute("SELECT source_id FROM exposure_sources").fetchall()]
        raise KBError(
            f"No exposure source {source!r}.",
            f"Name a source id, rater or measure: {', '.join(known)}.",
        )
    return con.execute(sql.text("releases_after_source"), [found[1], found[0]]).df()


def count(con: duckdb.DuckDBPyConnection) -> int:
    row = store.first_row(con, SQL_COUNT)
    return int(row[0]) if row else 0


def sources(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every exposure source with the release that produced it (name and date), oldest first."""
    return con.execute(sql.text("exposure_sources")).df()


def release_annotations(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per exposure source produced by a release: where to annotate the timeline.

    Columns: release_id, release_name, release_date, source_id, measure (rater or measure name),
    kind, date (of the source), label (short text for the chart), note.
    """
    return con.execute(sql.text("exposure_annotations")).df()


def history(
    con: duckdb.DuckDBPyConnection,
    thresholds: tuple[float, ...] = HEADLINE_THRESHOLDS,
    usage_cut: float = usage.DEFAULT_USAGE_CUT,
) -> pd.DataFrame:
    """ "What we knew when": each exposure source's headline figures, in date order.

    A label set (rater): the share of workers with more than t of their tasks exposed for each
    threshold t, under the paper's recipe otherwise (beta, equal weights, '>', paper
    employment). The usage measure: the employment-weighted mean AI applicability score and the
    share of workers in occupations scoring >= usage_cut (OEWS May 2021 employment).
    One row per source and figure: date, source_id, measure, release, figure, value, recipe,
    tasks_labelled (an ingested set may label only some tasks: its shares then count only the
    occupations it labels).
    """
    rows: list[dict[str, Any]] = []
    frame = sources(con).astype(object)
    for src in frame.where(frame.notna(), None).itertuples(index=False):
        base = {
            "date": src.date,
            "source_id": src.source_id,
            "kind": src.kind,
            "measure": src.rater or src.measure,
            "release_id": src.produced_by_release,
            "release_name": src.release_name,
            "release_date": src.release_date,
        }
        if src.rater:
            base["tasks_labelled"] = None if src.tasks_labelled is None else int(src.tasks_labelled)
            recipe = exposure.Recipe(rater=src.rater)
            for result in exposure.shares(con, list(thresholds), recipe):
                rows.append(
                    {
                        **base,
                        "figure": (
                            f"share of workers with > {result.threshold:.0%} of tasks exposed"
                        ),
                        "value": result.share_workers,
                        "recipe": recipe.describe(result.threshold),
                    }
                )
        elif src.measure == CLAUDE_USAGE_MEASURE:
            rows += _claude_usage_rows(con, base)
        else:
            head = usage.headline(con, cut=usage_cut)
            rows.append(
                {
                    **base,
                    "figure": "employment-weighted mean AI applicability score",
                    "value": head.mean_score,
                    "recipe": head.describe(),
                }
            )
            rows.append(
                {
                    **base,
                    "figure": f"share of workers in occupations scoring >= {usage_cut:g}",
                    "value": head.share_at_or_above_cut,
                    "recipe": head.describe(),
                }
            )
    out = pd.DataFrame(
        rows,
        columns=[
            "date",
            "source_id",
            "kind",
            "measure",
            "release_id",
            "release_name",
            "release_date",
            "figure",
            "value",
            "recipe",
            "tasks_labelled",
        ],
    )
    for column in ("date", "release_date"):  # dates as dates (no midnight times)
        out[column] = pd.to_datetime(out[column]).dt.date
    return out.astype({"tasks_labelled": "Int64"})
