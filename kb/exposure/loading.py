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
import pandas as pd

from kb import sources, sql, xlsx
from kb.errors import Problem, ValidationError
from kb.vocabulary import LABELS, MEASURE_FORMULAS, MEASURE_WEIGHTS, canonical_measure

if TYPE_CHECKING:
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

# OEWS May 2021 codes that combine SOC 2018 detailed occupations without ending in 0 (BLS
# "hybrid" codes; their OEWS titles name the parts), e.g. 21-1018 "Substance Abuse, Behavioral
# Disorder, and Mental Health Counselors" = 21-1011 + 21-1014.
OEWS_HYBRID_CODES = {
    "21-1011": "21-1018",
    "21-1014": "21-1018",
    "25-2055": "25-2052",
    "25-2056": "25-2052",
    "25-9042": "25-9045",
    "25-9043": "25-9045",
    "51-2022": "51-2028",
    "51-2023": "51-2028",
    "53-1042": "53-1047",
    "53-1043": "53-1047",
    "53-1044": "53-1047",
}


def load_measures(con: duckdb.DuckDBPyConnection) -> None:
    """Fill exposure_measures from kb.vocabulary: the views weigh E1 and E2 labels by it."""
    con.executemany(
        "INSERT INTO exposure_measures (measure, e1_weight, e2_weight, definition) "
        "VALUES (?, ?, ?, ?)",
        [(m, e1, e2, MEASURE_FORMULAS[m]) for m, (e1, e2) in MEASURE_WEIGHTS.items()],
    )


def store_exposure(con: duckdb.DuckDBPyConnection, raters: Sequence[str]) -> None:
    """Store (or re-store) the occupation exposure and units of these raters from their labels.

    Runs in the caller's transaction: the build, and `kb ingest labels` for its new rater.
    Units are built from the stored occupation rows, not recomputed from labels."""
    params = {"raters": list(raters)}
    con.execute(
        "DELETE FROM stored_exposure_units WHERE list_contains($raters::VARCHAR[], rater)", params
    )
    con.execute(
        "DELETE FROM stored_occupation_exposure WHERE list_contains($raters::VARCHAR[], rater)",
        params,
    )
    sql.execute(con, "store_occupation_exposure", params)
    sql.execute(con, "store_exposure_units", params)


def load_into(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> None:
    """The build step: verify and read every file first, then write all tables."""
    stage_labelset(con, sources.resolve(DATASET, LABELSET, ctx))
    oews = read_oews(sources.resolve(DATASET, OEWS, ctx))
    projections = read_projections(sources.resolve(DATASET, PROJECTIONS, ctx))
    crosswalk = read_crosswalk(sources.resolve(DATASET, CROSSWALK, ctx))
    job_zones = read_job_zones(sources.resolve(DATASET, JOB_ZONES, ctx))
    reference = read_occ_level(sources.resolve(DATASET, OCC_LEVEL, ctx))
    ctx.counts["upstream_files"] = sources.record(con, ctx)

    load_measures(con)
    majors = oews[oews["level"] == "major"][["code", "title"]]
    con.register("major_frame", majors)
    con.execute("INSERT INTO soc_major_groups SELECT code, title FROM major_frame ORDER BY code")
    employment = pd.concat([oews, projections], ignore_index=True)
    con.register("employment_frame", employment)
    con.execute(
        "INSERT INTO employment SELECT vintage, code, title, level, employment, annual_wage, "
        "wage_topcoded, mean_wage, education FROM employment_frame ORDER BY vintage, code"
    )
    con.register("crosswalk_frame", crosswalk)
    con.execute("INSERT INTO onet_nem_crosswalk SELECT * FROM crosswalk_frame ORDER BY onet_code")

    con.execute(
        "CREATE TEMP VIEW occupation_frame AS SELECT DISTINCT onet_code, title FROM labelset"
    )
    con.register("job_zone_frame", job_zones)
    hybrid = pd.DataFrame(list(OEWS_HYBRID_CODES.items()), columns=["soc_code", "oews_code"])
    con.register("oews_hybrid_frame", hybrid)
    sql.execute(con, "insert_occupations")
    con.execute(
        "INSERT INTO tasks SELECT onet_code, task_id, statement, task_type FROM labelset "
        "ORDER BY onet_code, task_id"
    )
    con.executemany(
        "INSERT INTO raters (rater, description, source) VALUES (?, ?, ?)",
        [(r, d, f"{LABELSET}: {c}") for r, (c, d) in BUILTIN_RATERS.items()],
    )
    # One statement per rater: a third of the rows to sort and check at a time keeps the peak
    # memory of a large build down (the key checks dominate either way). The column name comes
    # from the constant BUILTIN_RATERS; the rater name is a parameter.
    for rater, (column, _) in BUILTIN_RATERS.items():
        con.execute(
            f'INSERT INTO task_labels SELECT onet_code, task_id, ?, "{column}" '  # noqa: S608
            "FROM labelset ORDER BY onet_code, task_id",
            [rater],
        )
    for view in ("occupation_frame", "labelset"):
        con.execute(f"DROP VIEW {view}")
    con.execute("DROP TABLE labelset_text")  # the raw text is loaded: free it for what follows
    con.register("reference_frame", reference)
    con.execute(
        "INSERT INTO reference_occupation_exposure SELECT * FROM reference_frame ORDER BY ALL"
    )
    sql.execute(con, "occupation_units")
    sql.execute(con, "employment_coverage")
    store_exposure(con, list(BUILTIN_RATERS))
    for name in (
        "major_frame",
        "employment_frame",
        "crosswalk_frame",
        "job_zone_frame",
        "reference_frame",
        "oews_hybrid_frame",
    ):
        con.unregister(name)
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


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608 (a constant)
    return int(row[0]) if row else 0


def _require_columns(frame: pd.DataFrame, wanted: Sequence[str], file: str) -> None:
    missing = [c for c in wanted if c not in frame.columns]
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


def read_oews(path: Path) -> pd.DataFrame:
    """national_May2021_dl.csv -> employment rows (vintage oews-2021), all O_GROUP levels."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    _require_columns(
        frame, ["OCC_CODE", "OCC_TITLE", "O_GROUP", "TOT_EMP", "A_MEDIAN", "A_MEAN"], path.name
    )
    codes = frame["OCC_CODE"].str.strip()
    bad = ~codes.str.fullmatch(r"\d{2}-\d{4}")
    if bad.any():
        _raise_if(
            [
                Problem(
                    path.name, f"line {i + 2}", "OCC_CODE", f"{codes.iloc[i]!r} is not a SOC code"
                )
                for i in bad.to_numpy().nonzero()[0]
            ],
            path.name,
        )
    median = frame["A_MEDIAN"].str.strip()
    topcoded = median.eq("#")
    return pd.DataFrame(
        {
            "vintage": "oews-2021",
            "code": codes,
            "title": frame["OCC_TITLE"].str.strip(),
            "level": frame["O_GROUP"].str.strip(),
            "employment": frame["TOT_EMP"].map(_number),
            "annual_wage": median.map(_number).where(~topcoded, TOP_CODED_ANNUAL_WAGE),
            "wage_topcoded": topcoded,
            "mean_wage": frame["A_MEAN"].map(_number),
            "education": None,
        }
    )


def _header_index(rows: list[tuple[Any, ...]], first: str, file: str) -> int:
    for i, row in enumerate(rows[:20]):
        if row and isinstance(row[0], str) and row[0].strip() == first:
            return i
        if row and len(row) > 1 and isinstance(row[1], str) and row[1].strip() == first:
            return i
    raise ValidationError(
        [Problem(file, "header", first, "header row not found in the first 20 rows")]
    )


def read_projections(path: Path) -> pd.DataFrame:
    """Table 1.7 of occupation_2023_final.xlsx -> employment rows (vintage projections-2022).

    Employment is converted from thousands to persons; the total row becomes level 'total',
    other 'Summary' rows 'summary', and 'Line item' rows 'line item'.
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
    records = []
    for row in rows[head + 1 :]:
        code = row[pos["code"]]
        if not isinstance(code, str) or not code.strip():
            continue  # footnotes
        code = code.strip()
        kind = str(row[pos["type"]]).strip()
        employment = _number(row[pos["employment"]])
        education = row[pos["education"]]
        records.append(
            {
                "vintage": "projections-2022",
                "code": code,
                "title": str(row[pos["title"]]).strip(),
                "level": "total" if code == "00-0000" else kind.lower(),
                "employment": None if employment is None else round(employment * 1000),
                "annual_wage": _number(row[pos["wage"]]),
                "wage_topcoded": False,
                "mean_wage": None,
                "education": education.strip()
                if isinstance(education, str) and education.strip() not in ("", "—")
                else None,
            }
        )
    return pd.DataFrame.from_records(records)


def read_crosswalk(path: Path) -> pd.DataFrame:
    """nem-onet-to-soc-crosswalk.xlsx -> onet_code, onet_title, nem_code, nem_title."""
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
    records = [
        tuple(str(row[i]).strip() for i in idx)
        for row in rows[head + 1 :]
        if row and row[idx[0]] is not None and str(row[idx[0]]).strip()
    ]
    frame = pd.DataFrame.from_records(
        records, columns=["onet_code", "onet_title", "nem_code", "nem_title"]
    )
    dupes = frame[frame["onet_code"].duplicated()]
    _raise_if(
        [
            Problem(path.name, f"O*NET-SOC code {c}", "O*NET-SOC Code", "appears twice")
            for c in dupes["onet_code"]
        ],
        path.name,
    )
    return frame


def read_job_zones(path: Path) -> pd.DataFrame:
    """occupations_onet_basic_skills.csv -> title, job_zone (O*NET Job Zone 1-5, by title)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    _require_columns(frame, ["Occupation", "Job Zone"], path.name)
    zones = pd.to_numeric(frame["Job Zone"], errors="coerce")
    bad = ~zones.isin([1, 2, 3, 4, 5])
    _raise_if(
        [
            Problem(
                path.name,
                f"line {i + 2}",
                "Job Zone",
                f"{frame['Job Zone'].iloc[i]!r} is not a Job Zone 1-5",
            )
            for i in bad.to_numpy().nonzero()[0]
        ],
        path.name,
    )
    return pd.DataFrame({"title": frame["Occupation"].str.strip(), "job_zone": zones.astype(int)})


def read_occ_level(path: Path) -> pd.DataFrame:
    """occ_level.csv -> long form onet_code, rater (gpt4 / human), measure, exposure."""
    frame = pd.read_csv(path, dtype={"O*NET-SOC Code": str})
    columns = [f"{p}_{m}" for p in OCC_LEVEL_RATERS for m in OCC_LEVEL_SUFFIXES]
    _require_columns(frame, ["O*NET-SOC Code", *columns], path.name)
    long = frame.melt(
        id_vars=["O*NET-SOC Code"], value_vars=columns, var_name="column", value_name="exposure"
    )
    prefix = long["column"].str.rsplit("_", n=1).str[0]
    suffix = long["column"].str.rsplit("_", n=1).str[1]
    bad = long["exposure"].isna() | ~long["exposure"].between(0, 1)
    _raise_if(
        [
            Problem(
                path.name,
                f"occupation {long['O*NET-SOC Code'].iloc[i]}",
                long["column"].iloc[i],
                "is not a number between 0 and 1",
            )
            for i in bad.to_numpy().nonzero()[0]
        ],
        path.name,
    )
    return pd.DataFrame(
        {
            "onet_code": long["O*NET-SOC Code"].str.strip(),
            "rater": prefix.map(OCC_LEVEL_RATERS),
            "measure": suffix.map(canonical_measure),
            "exposure": long["exposure"].astype(float),
        }
    )
