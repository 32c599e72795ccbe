"""O*NET task statements then and now: the labelled O*NET 27.2 tasks against a later release.

"GPTs are GPTs" labelled the task statements of O*NET 27.2. O*NET has been revised since (29.3,
May 2025): most tasks carry over with their id, some keep their statement under a new id, some
were dropped, and new ones carry no label. `compare_tasks` sorts every labelled task into
TASK_STATUSES and, per occupation of the later release, says what share of today's tasks the
labels cover. Exposure shares stay on the labelled tasks; this only says how current they are.

Statements are compared after `normalise_statement` (Unicode NFKC, case-folded, punctuation
dropped, whitespace collapsed), which kb.usage.aei uses for its join too: O*NET revisions and
other sources often differ from a statement only by a comma ("texts, such as" / "texts such as").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

import duckdb
import numpy as np
import pandas as pd

from kb import sources, sql, xlsx
from kb.errors import Problem, ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from kb.build import BuildContext

DATASET: Final = "onet-29.3"
TASK_STATEMENTS_FILE: Final = "Task Statements.xlsx"

ONET_VERSION: Final = "29.3"
COLUMNS: Final[dict[str, str]] = {
    "O*NET-SOC Code": "onet_code",
    "Title": "title",
    "Task ID": "task_id",
    "Task": "statement",
    "Task Type": "task_type",
    "Incumbents Responding": "incumbents",
    "Date": "date",
    "Domain Source": "domain_source",
}
TASK_TYPES: Final = ("Core", "Supplemental")
TASK_STATUSES: Final[dict[str, str]] = {
    "kept_id": "the task id is still listed for the occupation",
    "kept_statement": "the id is gone but the same statement is listed (new id or occupation)",
    "dropped": "neither the id nor the statement is listed any more",
}
_PUNCTUATION: Final = re.compile(r"[^\w\s]")
# The same rule for ASCII text as a str.translate table (built from the pattern, so the two
# cannot disagree): most statements are ASCII, and translate is several times faster than sub.
_ASCII_PUNCTUATION: Final = {code: " " for code in range(128) if _PUNCTUATION.fullmatch(chr(code))}


# Cached: the labelled (27.2) and current (29.3) statements are mostly the same texts, and
# kb.usage.aei normalises the labelled ones again.
@functools.lru_cache(maxsize=1 << 16)
def normalise_statement(text: str) -> str:
    """A task statement as compared across releases and sources (see the module docstring)."""
    text = str(text)
    if text.isascii():  # NFKC leaves ASCII as it is
        return " ".join(text.casefold().translate(_ASCII_PUNCTUATION).split())
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_PUNCTUATION.sub(" ", text).split())


def read_task_statements(path: Path) -> pd.DataFrame:
    """O*NET's "Task Statements.xlsx" (any release in that layout) as a frame: onet_code,
    title, task_id (int), statement, task_type (Core, Supplemental or NULL), incumbents, date,
    domain_source, statement_key (normalise_statement). Bad rows are reported by row number."""
    rows = xlsx.read_sheet(path)
    file = path.name
    if not rows:
        raise ValidationError([Problem(file, "file", None, "the sheet is empty")])
    header = [str(c).strip() if c is not None else "" for c in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ValidationError(
            [Problem(file, "header", c, "column is missing") for c in missing],
            f"{file} is not O*NET's Task Statements file.",
        )
    frame = pd.DataFrame(rows[1:], columns=header)[list(COLUMNS)].rename(columns=COLUMNS)
    problems: list[Problem] = []
    codes = frame["onet_code"].astype(str).str.strip()
    for i in (~codes.str.fullmatch(r"\d{2}-\d{4}\.\d{2}")).to_numpy().nonzero()[0]:
        problems.append(
            Problem(file, f"row {i + 2}", "O*NET-SOC Code", f"{codes.iloc[i]!r} is not a code")
        )
    ids = pd.to_numeric(frame["task_id"], errors="coerce")
    for i in (ids.isna() | (ids % 1 != 0)).to_numpy().nonzero()[0]:
        problems.append(
            Problem(
                file,
                f"row {i + 2}",
                "Task ID",
                f"{frame['task_id'].iloc[i]!r} is not a whole number",
            )
        )
    types = frame["task_type"].where(frame["task_type"].notna(), None)
    for i in (types.notna() & ~types.isin(TASK_TYPES)).to_numpy().nonzero()[0]:
        problems.append(
            Problem(
                file, f"row {i + 2}", "Task Type", f"{types.iloc[i]!r} is not Core or Supplemental"
            )
        )
    statements = frame["statement"].fillna("").astype(str).str.strip()
    for i in statements.eq("").to_numpy().nonzero()[0]:
        problems.append(Problem(file, f"row {i + 2}", "Task", "is empty"))
    if not problems:
        for i in (
            frame.assign(code=codes, id=ids).duplicated(["code", "id"]).to_numpy().nonzero()[0]
        ):
            problems.append(
                Problem(
                    file,
                    f"row {i + 2}",
                    "Task ID",
                    f"task {int(ids.iloc[i])} of {codes.iloc[i]} appears twice",
                )
            )
    if problems:
        raise ValidationError(problems, f"{file} differs from the pinned O*NET release.")
    return pd.DataFrame(
        {
            "onet_code": codes,
            "title": frame["title"].astype(str).str.strip(),
            "task_id": ids.astype("int64"),
            "statement": statements,
            "task_type": types.astype(object),
            "incumbents": pd.to_numeric(frame["incumbents"], errors="coerce").astype("Int64"),
            "date": frame["date"].astype("string"),
            "domain_source": frame["domain_source"].astype("string"),
            "statement_key": statements.map(normalise_statement),
        }
    )


@dataclass(frozen=True)
class TaskComparison:
    """The labelled tasks against a later O*NET release."""

    # One row per labelled task: onet_code, task_id, statement, status (TASK_STATUSES),
    # current_onet_code, current_task_id (NULL when dropped), statement_changed (kept_id only:
    # the text under the same id differs after normalisation).
    changes: pd.DataFrame = field(compare=False)
    # Today's tasks no labelled task reaches (by id or statement): onet_code, task_id, statement,
    # task_type.
    new: pd.DataFrame = field(compare=False)
    # One row per occupation of the later release: onet_code, title, tasks_today,
    # tasks_labelled (today's tasks a labelled task reaches), share_labelled.
    coverage: pd.DataFrame = field(compare=False)

    def counts(self) -> dict[str, int]:
        """Labelled tasks per status, and today's tasks with no label ('new')."""
        out = dict.fromkeys(TASK_STATUSES, 0)
        out.update({str(k): int(v) for k, v in self.changes["status"].value_counts().items()})
        out["new"] = len(self.new)
        return out


def compare_tasks(labelled: pd.DataFrame, current: pd.DataFrame) -> TaskComparison:
    """Sort the labelled tasks (onet_code, task_id, statement) against today's (the frame of
    read_task_statements): the same (occupation, id) first, else the same statement in the same
    occupation, else the same statement in any occupation (the first by code and id)."""
    old = labelled[["onet_code", "task_id", "statement"]].copy()
    old["task_id"] = old["task_id"].astype("int64")
    old["statement_key"] = old["statement"].map(normalise_statement)
    now = current[["onet_code", "task_id", "statement_key"]].rename(
        columns={"statement_key": "current_key"}
    )
    by_id = old.merge(now, on=["onet_code", "task_id"], how="left", indicator=True)
    kept_id = by_id["_merge"].eq("both")
    by_id["status"] = kept_id.map({True: "kept_id", False: "dropped"})
    by_id["current_onet_code"] = by_id["onet_code"].where(kept_id)
    by_id["current_task_id"] = by_id["task_id"].where(kept_id)
    by_id["statement_changed"] = kept_id & by_id["current_key"].ne(by_id["statement_key"])
    first = now.sort_values(["onet_code", "task_id"]).rename(
        columns={"onet_code": "match_code", "task_id": "match_id", "current_key": "statement_key"}
    )
    same_occupation = first.drop_duplicates(["match_code", "statement_key"])
    anywhere = first.drop_duplicates(["statement_key"])
    rest = by_id[~kept_id].drop(columns=["current_onet_code", "current_task_id"])
    found = rest.merge(
        same_occupation, left_on=["onet_code", "statement_key"],
        right_on=["match_code", "statement_key"], how="left",
    )  # fmt: skip
    elsewhere = found["match_code"].isna()
    fallback = rest[elsewhere.to_numpy()].merge(anywhere, on="statement_key", how="left")
    found.loc[elsewhere, ["match_code", "match_id"]] = fallback[
        ["match_code", "match_id"]
    ].to_numpy()
    matched = found["match_code"].notna()
    by_id.loc[~kept_id, "current_onet_code"] = found["match_code"].to_numpy()
    by_id.loc[~kept_id, "current_task_id"] = found["match_id"].to_numpy()
    by_id.loc[by_id.index[~kept_id][matched.to_numpy()], "status"] = "kept_statement"
    changes = by_id[
        ["onet_code", "task_id", "statement", "status", "current_onet_code", "current_task_id",
         "statement_changed"]
    ].copy()  # fmt: skip
    changes["current_task_id"] = pd.to_numeric(changes["current_task_id"]).astype("Int64")
    changes["statement_changed"] = changes["statement_changed"].astype(bool)
    reached = changes.dropna(subset=["current_onet_code"])[["current_onet_code", "current_task_id"]]
    reached = reached.drop_duplicates().rename(
        columns={"current_onet_code": "onet_code", "current_task_id": "task_id"}
    )
    reached["task_id"] = reached["task_id"].astype("int64")
    today = current.merge(reached.assign(labelled=True), on=["onet_code", "task_id"], how="left")
    today["labelled"] = today["labelled"].fillna(False).astype(bool)
    coverage = (
        today.groupby(["onet_code", "title"], as_index=False)
        .agg(tasks_today=("task_id", "size"), tasks_labelled=("labelled", "sum"))
        .sort_values("onet_code", ignore_index=True)
    )
    coverage["share_labelled"] = coverage["tasks_labelled"] / coverage["tasks_today"]
    new = today.loc[~today["labelled"], ["onet_code", "task_id", "statement", "task_type"]]
    return TaskComparison(
        changes=changes.sort_values(["onet_code", "task_id"], ignore_index=True),
        new=new.sort_values(["onet_code", "task_id"], ignore_index=True),
        coverage=coverage,
    )


def stage_statement_keys(con: duckdb.DuckDBPyConnection) -> None:
    """The temporary table labelled_statement_keys: each distinct statement of `tasks` with its
    normalise_statement key, so SQL can match labelled tasks by statement (each text normalised
    once, however many tasks share it; dropped by the caller)."""
    statements = [row[0] for row in con.execute("SELECT DISTINCT statement FROM tasks").fetchall()]
    con.register(
        "labelled_statement_arrays",
        {
            "statement": np.array(statements, dtype=object),
            "statement_key": np.array([normalise_statement(s) for s in statements], dtype=object),
        },
    )
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE labelled_statement_keys AS SELECT "
            "CAST(statement AS VARCHAR) AS statement, CAST(statement_key AS VARCHAR) AS "
            "statement_key FROM labelled_statement_arrays"
        )
    finally:
        con.unregister("labelled_statement_arrays")


def load_into(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> None:
    """Build step (after the exposure data, which fills tasks): today's O*NET tasks into
    onet_tasks_current and every labelled task's fate into task_changes.

    The fates are computed in SQL (kb/sql/task_changes_insert.sql, the rules of compare_tasks),
    so the labelled tasks never become a frame: at 100x the data that frame was most of the
    build's peak memory."""
    current = read_task_statements(sources.resolve(DATASET, TASK_STATEMENTS_FILE, ctx))
    con.register("onet_current_frame", current.assign(onet_version=ONET_VERSION))
    try:
        con.execute(
            "INSERT INTO onet_tasks_current SELECT onet_version, onet_code, title, task_id, "
            "statement, task_type, incumbents, date, domain_source, statement_key "
            "FROM onet_current_frame ORDER BY onet_code, task_id"
        ).fetchall()
    finally:
        con.unregister("onet_current_frame")
    stage_statement_keys(con)
    try:
        sql.execute(con, "task_changes_insert", {"version": ONET_VERSION}).fetchall()
    finally:
        con.execute("DROP TABLE labelled_statement_keys")
    ctx.counts["onet_tasks_current"] = len(current)
    ctx.counts["task_changes"] = _count(con, "task_changes")


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])  # noqa: S608
