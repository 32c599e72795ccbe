"""Load the task-exposure data and BLS employment into the store (a `kb build` step).

Reads the authors' files (located and checksum-verified by kb.sources), checks them, and writes
tasks, long-form task labels, occupations, employment and the O*NET -> NEM crosswalk.

Data facts this module relies on (checked on the pinned files, enforced here):
- full_labelset.tsv: 19,265 tasks of 923 occupations; (O*NET-SOC code, Task ID) is unique and
  Task IDs are whole numbers stored as floats ("8823.0"). 1,312 tasks have no Core/Supplemental
  type; the authors weight them like supplemental tasks (1), as does full_onet_data.tsv.
- Its alpha/beta/gamma columns are computed from the GPT-4 labels, not the human ones, so they are
  not loaded: every measure is derived from the label columns.
- national_May2021_dl.csv: numbers carry thousands separators; '*' (suppressed) and '**' become
  NULL; '#' marks a wage top-coded at $208,000 a year (kept as 208000 with wage_topcoded).
- occupation_2023_final.xlsx Table 1.7: employment in thousands; titles indented with spaces.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np

from kb import sources, sql, xlsx
from kb.errors import Problem, ValidationError
from kb.exposure.oews import OEWS_HYBRID_CODES
from kb.exposure.recipe import load_employment_vocabulary
from kb.vocabulary import LABELS, MEASURE_FORMULAS, MEASURE_WEIGHTS, canonical_measure

if TYPE_CHECKING:
    import pandas as pd

    from kb.build import BuildContext

DATASET = "gpts-are-gpts"
LABELSET = "full_labelset.tsv"
OEWS = "national_May2021_dl.csv"
PROJECTIONS = "occupation_2023_final.xlsx"
PROJECTIONS_SHEET = "Table 1.7"
CROSSWALK = "nem-onet-to-soc-crosswalk.xlsx"
JOB_ZONES = "occupations_onet_basic_skills.csv"
OCC_LEVEL = "occ_level.csv"
# occ_level.csv column prefix -> rater; its suffixes are the authors' measure names (gamma: zeta).
OCC_LEVEL_RATERS = {"dv_rating": "gpt4", "human_rating": "human"}
OCC_LEVEL_SUFFIXES = ("alpha", "beta", "gamma")

# Built-in raters: name -> (column of full_labelset.tsv, description).
BUILTIN_RATERS: dict[str, tuple[str, str]] = {
    "human": ("human_exposure_agg", "Human annotators (aggregated label), Eloundou et al. 2023"),
    "gpt4": ("gpt4_exposure", "GPT-4 with the paper's main rubric (rubric 1)"),
    "gpt4_alt": ("gpt4_exposure_alt_rubric", "GPT-4 with the alternative rubric (rubric 2)"),
}
TOP_CODED_ANNUAL_WAGE = 208_000.0  # OEWS '#': at least $100/hour or $208,000/year
LABELSET_COLUMNS = ["O*NET-SOC Code", "Task ID", "Task", "Task Type", "Title"] + [
    column for column, _ in BUILTIN_RATERS.values()
]


def load_measures(con: duckdb.DuckDBPyConnection) -> None:
    """Fill exposure_measures from kb.vocabulary: the views weigh E1 and E2 labels by it."""
    con.executemany(
        "INSERT INTO exposure_measures (measure, e1_weight, e2_weight, definition) "
        "VALUES (?, ?, ?, ?)",
        [(m, e1, e2, MEASURE_FORMULAS[m]) for m, (e1, e2) in MEASURE_WEIGHTS.items()],
    )


def store_exposure(
    con: duckdb.DuckDBPyConnection, raters: Sequence[str], counts: str = "task_label_counts"
) -> None:
    """Store (or re-store) the occupation exposure and units of these raters from their labels.

    Runs in the caller's transaction: the build, and `kb ingest labels` for its new rater.
    `counts` names the relation of label counts to read (a constant): the view
    task_label_counts, or the build's labelset_label_counts. Units are built from the stored
    occupation rows, not recomputed from labels."""
    params = {"raters": list(raters)}
    con.execute(
        "DELETE FROM stored_exposure_units WHERE list_contains($raters::VARCHAR[], rater)", params
    )
    con.execute(
        "DELETE FROM stored_occupation_exposure WHERE list_contains($raters::VARCHAR[], rater)",
        params,
    )
    sql.execute(con, "store_occupation_exposure", params, counts=counts)
    sql.execute(con, "store_exposure_units", params)


def load_into(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> None:
    """The build step: verify and read every file first (into temporary tables, read and checked
    by DuckDB; the two workbooks through kb.xlsx), then write all tables with INSERT ... SELECT."""
    stage_labelset(con, sources.resolve(DATASET, LABELSET, ctx))
    stage_oews(con, sources.resolve(DATASET, OEWS, ctx))
    stage_projections(con, sources.resolve(DATASET, PROJECTIONS, ctx))
    stage_crosswalk(con, sources.resolve(DATASET, CROSSWALK, ctx))
    stage_job_zones(con, sources.resolve(DATASET, JOB_ZONES, ctx))
    stage_occ_level(con, sources.resolve(DATASET, OCC_LEVEL, ctx))
    ctx.counts["upstream_files"] = sources.record(con, ctx)

    load_measures(con)
    load_employment_vocabulary(con)
    con.execute(
        "INSERT INTO soc_major_groups SELECT code, title FROM oews_2021_rows "
        "WHERE level = 'major' ORDER BY code"
    )
    con.execute(
        "INSERT INTO employment SELECT vintage, code, title, level, employment, annual_wage, "
        "wage_topcoded, mean_wage, education FROM (SELECT * FROM oews_2021_rows "
        "UNION ALL BY NAME SELECT * FROM projection_rows) ORDER BY vintage, code"
    )
    con.execute("INSERT INTO onet_nem_crosswalk SELECT * FROM crosswalk_rows ORDER BY onet_code")

    con.execute(
        "CREATE TEMP VIEW occupation_frame AS SELECT DISTINCT onet_code, title FROM labelset"
    )
    con.execute("CREATE TEMP VIEW job_zone_frame AS SELECT title, job_zone FROM job_zone_rows")
    con.execute(
        "CREATE TEMP TABLE oews_hybrid_frame AS "
        "SELECT unnest($soc::VARCHAR[]) AS soc_code, unnest($oews::VARCHAR[]) AS oews_code",
        {"soc": list(OEWS_HYBRID_CODES), "oews": list(OEWS_HYBRID_CODES.values())},
    )
    sql.execute(con, "insert_occupations")
    # The checked label file sorted once by task (the order tasks and task_labels are stored
    # in), then its raw text freed: the four inserts below read it in that order, where each
    # sorting the file itself cost a sort of every task at 100x the data.
    labels = ", ".join(f'"{column}"' for column, _ in BUILTIN_RATERS.values())
    con.execute(
        "CREATE TEMP TABLE labelset_sorted AS SELECT onet_code, task_id, statement, "  # noqa: S608
        f"task_type, {labels} FROM labelset ORDER BY onet_code, task_id"
    )
    for view in ("occupation_frame", "job_zone_frame", "labelset"):
        con.execute(f"DROP VIEW {view}")
    con.execute("DROP TABLE labelset_text")
    con.execute(
        "INSERT INTO tasks SELECT onet_code, task_id, statement, task_type FROM labelset_sorted"
    )
    con.executemany(
        "INSERT INTO raters (rater, description, source) VALUES (?, ?, ?)",
        [(r, d, f"{LABELSET}: {c}") for r, (c, d) in BUILTIN_RATERS.items()],
    )
    # One statement per rater. The column name comes from the constant BUILTIN_RATERS; the
    # rater name is a parameter. task_labels declares no keys (see check_task_labels): here they
    # hold by construction, as stage_labelset has refused a repeated task and `tasks` holds
    # these tasks.
    for rater, (column, _) in BUILTIN_RATERS.items():
        con.execute(
            f'INSERT INTO task_labels SELECT onet_code, task_id, ?, "{column}" '  # noqa: S608
            "FROM labelset_sorted",
            [rater],
        )
    # The counts exposure is stored from, taken from the label file while it is staged: the same
    # rows as the view task_label_counts, without joining every label to its task.
    con.execute(
        "CREATE TEMP TABLE labelset_label_counts (onet_code VARCHAR, rater VARCHAR, "
        "task_type VARCHAR, e1 BIGINT, e2 BIGINT, n BIGINT)"
    )
    for rater, (column, _) in BUILTIN_RATERS.items():
        sql.execute(con, "labelset_label_counts", {"rater": rater}, column=f'"{column}"')
    con.execute("DROP TABLE labelset_sorted")  # the labels are loaded: free them
    sql.execute(
        con,
        "insert_reference_exposure",
        {
            "columns": list(_occ_level_columns()),
            "raters": [OCC_LEVEL_RATERS[p] for p, _ in _occ_level_columns().values()],
            "measures": [canonical_measure(m) for _, m in _occ_level_columns().values()],
        },
    )
    sql.execute(con, "occupation_units")
    sql.execute(con, "employment_coverage")
    store_exposure(con, list(BUILTIN_RATERS), counts="labelset_label_counts")
    for table in STAGED_TABLES:
        con.execute(f"DROP TABLE {table}")
    for table in (
        "occupations",
        "tasks",
        "task_labels",
        "employment",
        "onet_nem_crosswalk",
        "occupation_units",
        "employment_coverage",
        "reference_occupation_exposure",
        "stored_occupation_exposure",
        "stored_exposure_units",
    ):
        ctx.counts[table] = _count(con, table)


# The temporary tables load_into's readers fill (dropped once loaded).
STAGED_TABLES = (
    "oews_2021_text",
    "oews_2021_rows",
    "projection_rows",
    "crosswalk_rows",
    "job_zone_rows",
    "reference_exposure_rows",
    "oews_hybrid_frame",
    "labelset_label_counts",
)


def check_task_labels(con: duckdb.DuckDBPyConnection, skip: Sequence[str] = ()) -> list[Problem]:
    """The keys task_labels does not declare, checked set-wise: each (task, rater) once, every
    task in `tasks`, every rater in `raters`. Returns up to 50 problems of each kind.

    The labels of the raters in `skip` are not checked: the build passes its built-in raters,
    whose labels come from the one label file that also fills tasks and raters (stage_labelset
    has refused a repeated task), so they hold the keys by construction; checking them cost
    about 10 s of a 100x build. kb.build's "label keys" step runs it once every label set is in,
    instead of the row-by-row checks declared keys would make."""
    return [
        Problem("task_labels", f"task {task_id} of {code}", "rater", message)
        for code, task_id, message in sql.execute(
            con, "check_task_labels", {"skip": list(skip)}
        ).fetchall()
    ]


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchall()  # noqa: S608 (a constant)
    return int(rows[0][0])


def _require_columns(columns: Sequence[str], wanted: Sequence[str], file: str) -> None:
    missing = [c for c in wanted if c not in columns]
    if missing:
        raise ValidationError(
            [Problem(file, "header", c, "column is missing") for c in missing],
            f"{file} does not look like the pinned upstream file; check data/sources.yml.",
        )


def _raise_if(problems: list[Problem], file: str) -> None:
    if problems:
        raise ValidationError(problems, f"{file} differs from the pinned upstream file.")


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.readline().rstrip("\r\n").split("\t")


def _csv_columns(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """The column names of a comma-separated file, as DuckDB reads its header."""
    try:
        rows = con.execute(
            "DESCRIBE SELECT * FROM read_csv(?, header = true, all_varchar = true)", [str(path)]
        ).fetchall()
    except duckdb.Error as exc:
        reason = str(exc).strip().splitlines()[0]
        raise ValidationError(
            [Problem(path.name, "file", None, f"cannot be read as CSV: {reason}")]
        ) from exc
    return [str(row[0]) for row in rows]


def _quoted(columns: Sequence[str]) -> str:
    """Constant column names as a list of SQL identifiers."""
    return ", ".join('"' + c.replace('"', '""') + '"' for c in columns)


def _stage_columns(
    con: duckdb.DuckDBPyConnection,
    table: str,
    text: dict[str, list[str | None]],
    numbers: dict[str, list[float | None]],
) -> None:
    """A temporary table from Python column lists (text columns, then number columns), handed to
    DuckDB as numpy arrays: one scan, no row-by-row inserts and no pandas."""
    arrays: dict[str, Any] = {name: np.array(values, dtype=object) for name, values in text.items()}
    for name, values in numbers.items():
        arrays[name] = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    con.register(f"{table}_arrays", arrays)  # NaN arrives as NULL
    try:
        columns = [f'CAST("{n}" AS VARCHAR) AS "{n}"' for n in text] + [f'"{n}"' for n in numbers]
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS "  # noqa: S608 (constant names)
            f"SELECT {', '.join(columns)} FROM {table}_arrays"
        )
    finally:
        con.unregister(f"{table}_arrays")


def _either(terms: Sequence[str]) -> str:
    """'E0, E1 or E2'."""
    return f"{', '.join(terms[:-1])} or {terms[-1]}" if len(terms) > 1 else "".join(terms)


def stage_labelset(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """full_labelset.tsv -> the temporary view labelset (one row per task: onet_code, task_id,
    statement, task_type, title and one label column per built-in rater), read and checked by
    DuckDB (over the temporary table labelset_text: drop both when done). Every problem is
    reported with its line number; returns the number of tasks."""
    file = path.name
    header = _header(path)
    missing = [c for c in LABELSET_COLUMNS if c not in header]
    if missing:
        raise ValidationError(
            [Problem(file, "header", c, "column is missing") for c in missing],
            f"{file} does not look like the pinned upstream file; check data/sources.yml.",
        )
    if len(set(header)) != len(header):
        raise ValidationError([Problem(file, "header", None, "a column name appears twice")])
    label_columns = [column for column, _ in BUILTIN_RATERS.values()]
    labels = ", ".join(f'"{c}"' for c in label_columns)  # constants, quoted as identifiers
    try:
        sql.execute(con, "labelset_text", {"path": str(path)}, labels=labels)
    except duckdb.Error as exc:
        reason = str(exc).strip().splitlines()[0]
        raise ValidationError(
            [Problem(file, "file", None, f"cannot be read as tab-separated text: {reason}")]
        ) from exc
    sql.execute(con, "labelset", labels=labels)
    # Each check lists the first 50 offending lines (file order), with the field's text.
    problems = [
        Problem(file, f"line {line}", "Task ID", f"{text!r} is not a whole number")
        for line, text in con.execute(
            "SELECT line, task_id_text FROM labelset WHERE NOT whole ORDER BY line LIMIT 50"
        ).fetchall()
    ]
    allowed = list(LABELS)
    for column in label_columns:
        bad = sql.execute(con, "labelset_bad_labels", {"labels": allowed}, column=f'"{column}"')
        for line, value in bad.fetchall():
            value = "" if value is None else value
            problems.append(
                Problem(file, f"line {line}", column, f"{value!r} is not {_either(allowed)}")
            )
    for line, value in sql.execute(con, "labelset_bad_task_types").fetchall():
        problems.append(
            Problem(file, f"line {line}", "Task Type", f"{value!r} is not Core or Supplemental")
        )
    for line, task_id, code in sql.execute(con, "labelset_duplicate_tasks").fetchall():
        problems.append(
            Problem(file, f"line {line}", "Task ID", f"task {task_id} of {code} appears twice")
        )
    titles = con.execute(
        "SELECT onet_code FROM labelset GROUP BY onet_code HAVING count(DISTINCT title) > 1 "
        "ORDER BY onet_code LIMIT 50"
    ).fetchall()
    for (code,) in titles:
        problems.append(Problem(file, f"occupation {code}", "Title", "has more than one title"))
    _raise_if(problems, file)
    return _count(con, "labelset")


def read_labelset(path: Path) -> pd.DataFrame:
    """full_labelset.tsv, checked (see stage_labelset), as a DataFrame: onet_code, task_id,
    statement, task_type, title and one label column per built-in rater."""
    with duckdb.connect() as con:
        stage_labelset(con, path)
        labels = ", ".join(f'"{column}"' for column, _ in BUILTIN_RATERS.values())
        columns = f"onet_code, task_id, statement, task_type, title, {labels}"  # constants
        return con.execute(f"SELECT {columns} FROM labelset ORDER BY line").df()  # noqa: S608


def _number(value: Any) -> float | None:
    """A BLS cell as a number: '1,234' -> 1234; '*', '**', '—', '' -> None."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).replace(",", "").strip()
    try:
        return float(text)
    except ValueError:
        return None


OEWS_COLUMNS = ("OCC_CODE", "OCC_TITLE", "O_GROUP", "TOT_EMP", "A_MEDIAN", "A_MEAN")


def stage_oews(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """national_May2021_dl.csv -> the temporary table oews_2021_rows: employment rows (vintage
    oews-2021, columns as in `employment`), all O_GROUP levels. Returns the number of rows."""
    _require_columns(_csv_columns(con, path), OEWS_COLUMNS, path.name)
    sql.execute(con, "oews_2021_text", {"path": str(path)}, columns=_quoted(OEWS_COLUMNS))
    bad = con.execute(
        "SELECT line, trim(coalesce(OCC_CODE, '')) FROM oews_2021_text "
        "WHERE NOT regexp_full_match(trim(coalesce(OCC_CODE, '')), '\\d{2}-\\d{4}') "
        "ORDER BY line LIMIT 50"
    ).fetchall()
    _raise_if(
        [
            Problem(path.name, f"line {line}", "OCC_CODE", f"{code!r} is not a SOC code")
            for line, code in bad
        ],
        path.name,
    )
    sql.execute(con, "oews_2021_rows", {"top_coded": TOP_CODED_ANNUAL_WAGE})
    return _count(con, "oews_2021_rows")


def _header_index(rows: list[tuple[Any, ...]], first: str, file: str) -> int:
    for i, row in enumerate(rows[:20]):
        if row and isinstance(row[0], str) and row[0].strip() == first:
            return i
        if row and len(row) > 1 and isinstance(row[1], str) and row[1].strip() == first:
            return i
    raise ValidationError(
        [Problem(file, "header", first, "header row not found in the first 20 rows")]
    )


def stage_projections(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Table 1.7 of occupation_2023_final.xlsx -> the temporary table projection_rows:
    employment rows (vintage projections-2022, columns as in `employment`).

    Employment is converted from thousands to persons; the total row becomes level 'total',
    other 'Summary' rows 'summary', and 'Line item' rows 'line item'. Returns the row count.
    """
    rows = xlsx.read_sheet(path, PROJECTIONS_SHEET)
    head = _header_index(rows, "2022 National Employment Matrix title", path.name)
    header = [str(h).strip() if h is not None else "" for h in rows[head]]
    want = {
        "title": "2022 National Employment Matrix title",
        "code": "2022 National Employment Matrix code",
        "type": "Occupation type",
        "employment": "Employment, 2022",
        "wage": "Median annual wage, 2022(1)",
        "education": "Typical education needed for entry",
    }
    missing = [w for w in want.values() if w not in header]
    if missing:
        _raise_if(
            [
                Problem(path.name, f"{PROJECTIONS_SHEET} header", m, "column is missing")
                for m in missing
            ],
            path.name,
        )
    pos = {k: header.index(v) for k, v in want.items()}
    text: dict[str, list[str | None]] = {"code": [], "title": [], "level": [], "education": []}
    numbers: dict[str, list[float | None]] = {"employment": [], "annual_wage": []}
    for row in rows[head + 1 :]:
        code = row[pos["code"]]
        if not isinstance(code, str) or not code.strip():
            continue  # footnotes
        code = code.strip()
        employment = _number(row[pos["employment"]])
        education = row[pos["education"]]
        text["code"].append(code)
        text["title"].append(str(row[pos["title"]]).strip())
        text["level"].append(
            "total" if code == "00-0000" else str(row[pos["type"]]).strip().lower()
        )
        text["education"].append(
            education.strip()
            if isinstance(education, str) and education.strip() not in ("", "—")
            else None
        )
        numbers["employment"].append(
            None if employment is None else float(round(employment * 1000))
        )
        numbers["annual_wage"].append(_number(row[pos["wage"]]))
    _stage_columns(con, "projection_staged", text, numbers)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE projection_rows AS SELECT 'projections-2022' AS vintage, "
        "code, title, level, employment, annual_wage, false AS wage_topcoded, "
        "CAST(NULL AS DOUBLE) AS mean_wage, education FROM projection_staged"
    )
    con.execute("DROP TABLE projection_staged")
    return _count(con, "projection_rows")


def stage_crosswalk(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """nem-onet-to-soc-crosswalk.xlsx -> the temporary table crosswalk_rows: onet_code,
    onet_title, nem_code, nem_title (one row per O*NET-SOC code). Returns the row count."""
    rows = xlsx.read_sheet(path)
    head = _header_index(rows, "O*NET-SOC Code", path.name)
    header = [str(h).strip() if h is not None else "" for h in rows[head]]
    names = [
        "O*NET-SOC Code",
        "O*NET-SOC Title",
        "NEM Code",
        "National Employment Matrix Occupational Title",
    ]
    missing = [n for n in names if n not in header]
    if missing:
        _raise_if(
            [Problem(path.name, "header", m, "column is missing") for m in missing], path.name
        )
    idx = [header.index(n) for n in names]
    kept = [
        row
        for row in rows[head + 1 :]
        if row and row[idx[0]] is not None and str(row[idx[0]]).strip()
    ]
    columns = ["onet_code", "onet_title", "nem_code", "nem_title"]
    text: dict[str, list[str | None]] = {
        name: [str(row[i]).strip() for row in kept] for name, i in zip(columns, idx, strict=True)
    }
    _stage_columns(con, "crosswalk_rows", text, {})
    dupes = con.execute(
        "SELECT onet_code FROM (SELECT onet_code, row_number() OVER (PARTITION BY onet_code "
        "ORDER BY rowid) AS seen, rowid FROM crosswalk_rows) WHERE seen > 1 ORDER BY rowid"
    ).fetchall()
    _raise_if(
        [
            Problem(path.name, f"O*NET-SOC code {c}", "O*NET-SOC Code", "appears twice")
            for (c,) in dupes
        ],
        path.name,
    )
    return _count(con, "crosswalk_rows")


def stage_job_zones(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """occupations_onet_basic_skills.csv -> the temporary table job_zone_rows: line, title,
    job_zone_text, job_zone (O*NET Job Zone 1-5, by title). Returns the row count."""
    _require_columns(_csv_columns(con, path), ["Occupation", "Job Zone"], path.name)
    sql.execute(con, "job_zone_rows", {"path": str(path)})
    bad = con.execute(
        "SELECT line, job_zone_text FROM job_zone_rows WHERE job_zone IS NULL ORDER BY line"
    ).fetchall()
    _raise_if(
        [
            Problem(path.name, f"line {line}", "Job Zone", f"{text!r} is not a Job Zone 1-5")
            for line, text in bad
        ],
        path.name,
    )
    return _count(con, "job_zone_rows")


def _occ_level_columns() -> dict[str, tuple[str, str]]:
    """occ_level.csv's exposure columns -> (their prefix, their suffix), in file order."""
    return {f"{p}_{m}": (p, m) for p in OCC_LEVEL_RATERS for m in OCC_LEVEL_SUFFIXES}


def stage_occ_level(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """occ_level.csv -> the temporary table reference_exposure_rows (long form: onet_code, the
    column, its text and exposure), every value checked to be a number between 0 and 1."""
    columns = list(_occ_level_columns())
    _require_columns(_csv_columns(con, path), ["O*NET-SOC Code", *columns], path.name)
    sql.execute(con, "reference_exposure_rows", {"path": str(path)}, columns=_quoted(columns))
    bad = con.execute(
        'SELECT onet_code, "column" FROM reference_exposure_rows '
        "WHERE exposure IS NULL OR NOT exposure BETWEEN 0 AND 1 OR isnan(exposure) "
        'ORDER BY list_position(?::VARCHAR[], "column"), row_number',
        [columns],
    ).fetchall()
    _raise_if(
        [
            Problem(path.name, f"occupation {code}", column, "is not a number between 0 and 1")
            for code, column in bad
        ],
        path.name,
    )
    return _count(con, "reference_exposure_rows")
