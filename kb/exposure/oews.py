"""BLS OEWS national files as employment vintages: read any year's file, then place every O*NET
occupation in the OEWS unit that holds its workers, each worker counted once.

The reader takes BLS's national-file layout (OCC_CODE, OCC_TITLE, O_GROUP, TOT_EMP, A_MEDIAN,
A_MEAN, ...) as .csv or .xlsx, with or without thousands separators. Marks: '*' (wage not
published) and '**' (employment not published) become NULL; '#' is a wage at or above the year's
top code, kept as the top code with wage_topcoded set.

A vintage (`build_vintage`) maps each O*NET occupation's SOC code to the first of these that the
file publishes (ROLLUP_RULES, in order):
  detailed  the SOC code itself as a detailed row;
  hybrid    a combined code naming its parts (OEWS_HYBRID_CODES, e.g. 21-1018 = 21-1011 + 21-1014);
  aggregate the code ending in 0 of its broad group, listed as detailed (13-1020 = 13-1021..23);
  broad     its broad group (xx-xxx0), when the file lists none of that group's detailed codes;
  minor     its minor group (xx-xx00), when the file lists none of that group's detailed codes.
The last two never split a group between counted and uncounted rows, so no worker counts twice.
O*NET occupations sharing a unit share its employment (their exposure is averaged, as under the
oews-2021 recipe). Whatever is left out is listed with its reason (LEFT_OUT_REASONS).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import duckdb
import pandas as pd

from kb import sources, sql, xlsx
from kb.errors import Problem, ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from kb.build import BuildContext

O_GROUPS: Final[dict[str, str]] = {
    "total": "all occupations (00-0000)",
    "major": "SOC major group (xx-0000)",
    "minor": "SOC minor group (xx-xx00)",
    "broad": "SOC broad occupation (xx-xxx0)",
    "detailed": "SOC detailed occupation, or a code OEWS publishes in its place",
}
REQUIRED_COLUMNS: Final = ("OCC_CODE", "OCC_TITLE", "O_GROUP", "TOT_EMP")
NUMBER_COLUMNS: Final[dict[str, str]] = {
    "TOT_EMP": "employment",
    "EMP_PRSE": "employment_rse",
    "A_MEDIAN": "annual_wage",
    "A_MEAN": "mean_wage",
    "H_MEDIAN": "hourly_median",
    "H_MEAN": "hourly_mean",
}
NOT_PUBLISHED_MARKS: Final = frozenset({"*", "**", "—", ""})
TOP_CODE_MARK: Final = "#"

# The '#' top code printed in the notes of each year's file: (first year, hourly, annual).
TOP_CODES: Final[tuple[tuple[int, float, float], ...]] = (
    (2024, 115.0, 239_200.0),
    (2017, 100.0, 208_000.0),
    (2012, 90.0, 187_200.0),
)

# OEWS codes (SOC 2018 era, May 2019 on) that combine SOC detailed occupations without ending in
# 0; the OEWS titles name the parts, e.g. 21-1018 "Substance Abuse, Behavioral Disorder, and
# Mental Health Counselors" = 21-1011 + 21-1014. Used only where the file lists the code.
OEWS_HYBRID_CODES: Final[dict[str, str]] = {
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

ROLLUP_RULES: Final[dict[str, str]] = {
    "detailed": "OEWS publishes the SOC code itself",
    "hybrid": "OEWS publishes it only inside a combined code that names its parts",
    "aggregate": "OEWS publishes it only inside its broad group's code ending in 0",
    "broad": "OEWS publishes only its broad group, and none of that group's detailed codes",
    "minor": "OEWS publishes only its minor group, and none of that group's detailed codes",
}
LEFT_OUT_REASONS: Final[dict[str, str]] = {
    "not_published": "O*NET occupation: the OEWS file has no row holding its SOC code",
    "employment_not_published": "the OEWS row holding it has no published employment ('**')",
    "all_other": "OEWS residual 'All Other' code: O*NET describes no tasks for it",
    "no_labelled_occupation": "source code that no O*NET occupation with labels maps to",
    "no_nem_employment": "paper recipe: the crosswalk gives it no NEM line item with employment",
}

VINTAGE_COLUMNS: Final = (
    "vintage", "code", "title", "level", "employment", "employment_rse", "annual_wage",
    "wage_topcoded", "mean_wage", "hourly_median", "hourly_mean", "hourly_only", "annual_only",
)  # fmt: skip
# The store's employment table (kb/schema/20_exposure.sql) takes these, in this order.
EMPLOYMENT_TABLE_COLUMNS: Final = (
    "vintage", "code", "title", "level", "employment", "annual_wage", "wage_topcoded",
    "mean_wage", "education",
)  # fmt: skip


def top_code(year: int) -> tuple[float, float]:
    """(hourly, annual) wage that '#' stands for in a file of this May reference year."""
    for first, hourly, annual in TOP_CODES:
        if year >= first:
            return hourly, annual
    raise ValidationError(
        [Problem(f"OEWS {year}", "file", "year", "no top code known before May 2012")],
        "Add the year's top code (from the file's notes) to kb.exposure.oews.TOP_CODES.",
    )


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_table(path: Path) -> pd.DataFrame:
    """The file's cells as text (header row found by OCC_CODE), whatever its format."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows = xlsx.read_sheet(path)
        head = next(
            (i for i, row in enumerate(rows[:20]) if "OCC_CODE" in [_cell_text(c) for c in row]),
            None,
        )
        if head is None:
            raise ValidationError(
                [Problem(path.name, "header", "OCC_CODE", "no header row in the first 20 rows")],
                "Is this a BLS OEWS national file (national_M<year>_dl)?",
            )
        header = [_cell_text(c) for c in rows[head]]
        body = [[_cell_text(c) for c in row] for row in rows[head + 1 :] if any(row)]
        frame = pd.DataFrame(body, columns=header, dtype=str)
        frame.attrs["first_line"] = head + 2
        return frame
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ValidationError(
            [Problem(path.name, "file", None, f"cannot be read as CSV: {exc}")]
        ) from exc
    frame.attrs["first_line"] = 2
    return frame


def _numbers(column: pd.Series, top: float | None) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(values, top-coded?, unreadable?) of a BLS column: '1,234' -> 1234, marks -> NULL."""
    text = column.fillna("").astype(str).str.strip().str.replace(",", "", regex=False)
    topcoded = text.eq(TOP_CODE_MARK)
    values = pd.to_numeric(text.where(~text.isin(NOT_PUBLISHED_MARKS | {TOP_CODE_MARK})),
                           errors="coerce")  # fmt: skip
    bad = values.isna() & ~text.isin(NOT_PUBLISHED_MARKS | {TOP_CODE_MARK})
    if top is not None:
        values = values.where(~topcoded, top)
    return values.astype("Float64"), topcoded, bad


def _problems(
    file: str, first: int, mask: pd.Series, column: str, say: Callable[[int], str]
) -> list[Problem]:
    """One Problem per true row of mask (row i is on line i + first of the file)."""
    return [
        Problem(file, f"line {int(i) + first}", column, say(int(i)))
        for i in mask.to_numpy().nonzero()[0]
    ]


def _not_a_number(cells: pd.Series) -> Callable[[int], str]:
    return lambda i: f"{cells.iloc[i]!r} is not a number"


def read_national(path: Path, vintage: str, year: int) -> pd.DataFrame:
    """An OEWS national file (any May reference year, .csv or .xlsx) as a typed frame.

    Columns VINTAGE_COLUMNS: code, title, level (O_GROUPS), employment (persons), employment_rse,
    annual_wage (median; '#' -> the year's annual top code, wage_topcoded true), mean_wage,
    hourly_median, hourly_mean, hourly_only (HOURLY: only hourly wages published), annual_only.
    Bad cells are reported together with their line numbers (ValidationError).
    """
    frame = _read_table(path)
    file = path.name
    first = int(frame.attrs.get("first_line", 2))
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ValidationError(
            [Problem(file, "header", c, "column is missing") for c in missing],
            f"{file} is not in BLS's OEWS national-file layout.",
        )
    problems: list[Problem] = []
    codes = frame["OCC_CODE"].str.strip()
    problems += _problems(
        file, first, ~codes.str.fullmatch(r"\d{2}-\d{4}"), "OCC_CODE",
        lambda i: f"{codes.iloc[i]!r} is not a SOC code",
    )  # fmt: skip
    levels = frame["O_GROUP"].str.strip().str.lower()
    problems += _problems(
        file, first, ~levels.isin(list(O_GROUPS)), "O_GROUP",
        lambda i: f"{levels.iloc[i]!r} is not one of {', '.join(O_GROUPS)}",
    )  # fmt: skip
    hourly_top, annual_top = top_code(year)
    out: dict[str, Any] = {
        "vintage": vintage,
        "code": codes,
        "title": frame["OCC_TITLE"].str.strip(),
        "level": levels,
    }
    for column, name in NUMBER_COLUMNS.items():
        if column not in frame.columns:
            out[name] = pd.Series(pd.NA, index=frame.index, dtype="Float64")
            continue
        cells = frame[column]
        values, topcoded, bad = _numbers(
            cells, {"A_": annual_top, "H_": hourly_top}.get(column[:2])
        )
        problems += _problems(file, first, bad, column, _not_a_number(cells))
        out[name] = values
        if column == "A_MEDIAN":
            out["wage_topcoded"] = topcoded.astype(bool)
    if "wage_topcoded" not in out:
        out["wage_topcoded"] = False
    for column, name in (("HOURLY", "hourly_only"), ("ANNUAL", "annual_only")):
        flag = frame[column].str.strip().str.upper() if column in frame.columns else None
        out[name] = flag.eq("TRUE") if flag is not None else False
    result = pd.DataFrame(out)[list(VINTAGE_COLUMNS)]
    duplicated = result.duplicated(["code", "level"])
    problems += _problems(
        file, first, duplicated, "OCC_CODE",
        lambda i: f"{codes.iloc[i]} appears twice at level {levels.iloc[i]}",
    )  # fmt: skip
    if (result["level"] == "total").sum() != 1 and not problems:
        problems.append(Problem(file, "file", "O_GROUP", "needs exactly one 'total' row"))
    if problems:
        raise ValidationError(problems, f"{file} differs from BLS's OEWS national-file layout.")
    return result


def employment_rows(national: pd.DataFrame) -> pd.DataFrame:
    """The rows of the store's employment table (all levels) from read_national's frame."""
    rows = national.assign(education=None)[list(EMPLOYMENT_TABLE_COLUMNS)].copy()
    for column in ("employment", "annual_wage", "mean_wage"):
        rows[column] = rows[column].astype("float64")
    return rows


@dataclass(frozen=True)
class EmploymentVintage:
    """One OEWS file as an employment recipe: where each O*NET occupation is counted, and what
    is left out and why. Each worker is counted once."""

    recipe: str  # e.g. 'oews-2025'
    source: str  # e.g. 'OEWS May 2025 national, detailed occupations'
    # One row per O*NET occupation: onet_code, title, soc_code, unit_code (NULL: left out),
    # unit_title, unit_level, rule (ROLLUP_RULES; NULL: left out), employment, annual_wage.
    assignments: pd.DataFrame = field(compare=False)
    # One row per code left out: side ('onet' or 'oews'), code, title, employment, reason.
    left_out: pd.DataFrame = field(compare=False)
    all_workers: float = 0.0  # the file's total (00-0000)
    workers_counted: float = 0.0  # employment of the units at least one O*NET occupation reaches
    workers_left_out: float = 0.0  # published detailed employment no O*NET occupation reaches
    source_rows_left_out: int = 0  # detailed rows no O*NET occupation reaches

    def units(self) -> pd.DataFrame:
        """One row per counted unit: unit_code, unit_title, employment, onet_occupations."""
        counted = self.assignments.dropna(subset=["unit_code"])
        return (
            counted.groupby(["unit_code", "unit_title"], as_index=False)
            .agg(employment=("employment", "first"), onet_occupations=("onet_code", "size"))
            .sort_values("unit_code", ignore_index=True)
        )


@dataclass(frozen=True)
class _Row:
    """One row of a national file, as build_vintage needs it."""

    code: str
    title: str
    level: str
    employment: float | None
    annual_wage: float | None


def _rows(national: pd.DataFrame) -> list[_Row]:
    def value(x: Any) -> float | None:
        return None if x is None or pd.isna(x) else float(x)

    return [
        _Row(str(code), str(title), str(level), value(emp), value(wage))
        for code, title, level, emp, wage in zip(
            national["code"].tolist(), national["title"].tolist(), national["level"].tolist(),
            national["employment"].tolist(), national["annual_wage"].tolist(), strict=True,
        )
    ]  # fmt: skip


def _rollup(
    soc: str,
    published: dict[tuple[str, str], _Row],
    detailed_groups: set[str],
    detailed_minors: set[str],
) -> tuple[_Row, str] | None:
    """(the row holding a SOC code, the rule that found it), or None when no row holds it.
    detailed_groups: the broad-group prefixes (xx-xxx) of the file's detailed codes;
    detailed_minors: their minor-group prefixes (xx-xx)."""
    hybrid = OEWS_HYBRID_CODES.get(soc)
    broad, minor = soc[:6] + "0", soc[:5] + "00"
    candidates = (
        ((soc, "detailed"), "detailed", True),
        ((hybrid or "", "detailed"), "hybrid", hybrid is not None),
        ((broad, "detailed"), "aggregate", True),
        ((broad, "broad"), "broad", soc[:6] not in detailed_groups),
        ((minor, "minor"), "minor", soc[:5] not in detailed_minors),
    )
    for key, rule, allowed in candidates:
        if allowed and key in published:
            return published[key], rule
    return None


def _oews_reason(row: _Row) -> str:
    if row.employment is None:
        return "employment_not_published"
    return "all_other" if "All Other" in row.title else "no_labelled_occupation"


def build_vintage(
    national: pd.DataFrame, occupations: pd.DataFrame, recipe: str, source: str
) -> EmploymentVintage:
    """Place every O*NET occupation (frame with onet_code, title) in the national file's unit
    holding its SOC code (see ROLLUP_RULES) and list what is left out on both sides."""
    rows = _rows(national)
    published = {(r.code, r.level): r for r in rows}
    detailed = [r for r in rows if r.level == "detailed"]
    groups = {r.code[:6] for r in detailed}
    minors = {g[:5] for g in groups}
    records: list[dict[str, Any]] = []
    left: list[dict[str, Any]] = []
    for onet_code, title in zip(
        occupations["onet_code"].astype(str).tolist(),
        occupations["title"].astype(str).tolist(),
        strict=True,
    ):
        found = _rollup(onet_code[:7], published, groups, minors)
        unit = found[0] if found else None
        records.append(
            {
                "onet_code": onet_code,
                "title": title,
                "soc_code": onet_code[:7],
                "unit_code": unit.code if unit else None,
                "unit_title": unit.title if unit else None,
                "unit_level": unit.level if unit else None,
                "rule": found[1] if found else None,
                "employment": unit.employment if unit else None,
                "annual_wage": unit.annual_wage if unit else None,
            }
        )
        if unit is None or unit.employment is None:
            reason = "not_published" if unit is None else "employment_not_published"
            left.append(
                {"side": "onet", "code": onet_code, "title": title, "employment": None,
                 "reason": reason}
            )  # fmt: skip
    reached = {r["unit_code"] for r in records if r["unit_code"] is not None}
    unreached = [r for r in detailed if r.code not in reached]
    left += [
        {"side": "oews", "code": r.code, "title": r.title, "employment": r.employment,
         "reason": _oews_reason(r)}
        for r in unreached
    ]  # fmt: skip
    assignments = pd.DataFrame.from_records(
        records,
        columns=["onet_code", "title", "soc_code", "unit_code", "unit_title", "unit_level",
                 "rule", "employment", "annual_wage"],
    )  # fmt: skip
    left_out = pd.DataFrame.from_records(
        left, columns=["side", "code", "title", "employment", "reason"]
    )
    for frame, columns in (
        (assignments, ("employment", "annual_wage")),
        (left_out, ("employment",)),
    ):
        for column in columns:
            frame[column] = frame[column].astype("Float64")
    units = {r["unit_code"]: r["employment"] for r in records if r["unit_code"] is not None}
    totals = [r.employment for r in rows if r.level == "total"]
    return EmploymentVintage(
        recipe=recipe,
        source=source,
        assignments=assignments,
        left_out=left_out.sort_values(["side", "code"], ignore_index=True),
        all_workers=float(totals[0] or 0.0),
        workers_counted=sum(e for e in units.values() if e is not None),
        workers_left_out=sum(r.employment for r in unreached if r.employment is not None),
        source_rows_left_out=len(unreached),
    )


@dataclass(frozen=True)
class OEWSFile:
    """A pinned OEWS national file (data/sources.yml) and the recipe it makes."""

    dataset: str
    file: str
    year: int  # May reference year (sets the '#' top code)
    source: str  # what employment_coverage.source says


OEWS_FILES: Final[dict[str, OEWSFile]] = {
    "oews-2021": OEWSFile("gpts-are-gpts", "national_May2021_dl.csv", 2021,
                          "OEWS May 2021 national, detailed occupations"),
    "oews-2025": OEWSFile("oews-2025", "national_M2025_dl.csv", 2025,
                          "OEWS May 2025 national, detailed occupations"),
}  # fmt: skip


def read_vintage(recipe: str, ctx: BuildContext | None = None) -> pd.DataFrame:
    """read_national on the pinned file of an OEWS recipe (located and verified by kb.sources)."""
    pinned = OEWS_FILES[recipe]
    return read_national(sources.resolve(pinned.dataset, pinned.file, ctx), recipe, pinned.year)


# Recipes whose units the exposure data step already stores (kb/sql/occupation_units.sql): the
# vintages step adds only their roll-ups and left-out codes, so every OEWS recipe lists them.
STORED_BY_EXPOSURE_DATA: Final = ("oews-2021",)


def load_into(
    con: duckdb.DuckDBPyConnection, ctx: BuildContext, recipes: tuple[str, ...] = ("oews-2025",)
) -> None:
    """Build step (after the exposure data, which fills occupations): each recipe's employment
    rows, occupation units, coverage, roll-ups and left-out codes. Reads every file first."""
    nationals = {recipe: read_vintage(recipe, ctx) for recipe in recipes}
    stored = {r: read_vintage(r, ctx) for r in STORED_BY_EXPOSURE_DATA if r not in recipes}
    occupations = occupations_frame(con)
    for recipe, national in stored.items():
        source = OEWS_FILES[recipe].source
        insert_rollups(con, build_vintage(national, occupations, recipe, source))
    for recipe, national in nationals.items():
        con.register("oews_employment_frame", employment_rows(national))
        try:
            con.execute(
                "INSERT INTO employment SELECT * FROM oews_employment_frame ORDER BY code, level"
            ).fetchall()
        finally:
            con.unregister("oews_employment_frame")
        insert_vintage(con, build_vintage(national, occupations, recipe, OEWS_FILES[recipe].source))
        # The exposure of the raters stored so far, counted by this recipe's units (a rater
        # stored later, e.g. an ingested label set, gets every recipe's units when stored).
        con.execute(sql.text("store_recipe_exposure_units"), {"recipe": recipe}).fetchall()
        ctx.counts[f"occupation_units ({recipe})"] = len(occupations)


# --- Writing a vintage into the store ---------------------------------------------------------


def insert_vintage(con: duckdb.DuckDBPyConnection, vintage: EmploymentVintage) -> None:
    """Write a vintage's rows: occupation_units and employment_coverage (the share queries read
    these), employment_rollups and employment_left_out (kb/schema/30_vintages.sql).

    Runs in the caller's transaction; needs the occupations table (job zone and education of a
    unit are computed over its O*NET occupations, as under oews-2021)."""
    assignments = vintage.assignments.assign(employment_recipe=vintage.recipe)
    con.register("vintage_assignments", assignments)
    try:
        con.execute(sql.text("oews_occupation_units"), {"recipe": vintage.recipe}).fetchall()
        con.execute(
            "INSERT INTO employment_coverage VALUES (?, ?, ?, ?, ?)",
            [vintage.recipe, vintage.all_workers, vintage.workers_left_out,
             vintage.source_rows_left_out, vintage.source],
        ).fetchall()  # fmt: skip
    finally:
        con.unregister("vintage_assignments")
    insert_rollups(con, vintage)


def insert_rollups(con: duckdb.DuckDBPyConnection, vintage: EmploymentVintage) -> None:
    """Write how each O*NET occupation reached its unit (employment_rollups) and what the
    vintage leaves out and why (employment_left_out)."""
    con.register("vintage_assignments", vintage.assignments.assign(recipe=vintage.recipe))
    con.register("vintage_left_out", vintage.left_out.assign(recipe=vintage.recipe))
    try:
        con.execute(
            "INSERT INTO employment_rollups SELECT recipe, onet_code, soc_code, "
            "unit_code, unit_level, rule FROM vintage_assignments ORDER BY onet_code"
        ).fetchall()
        con.execute(
            "INSERT INTO employment_left_out SELECT recipe, side, code, title, employment, "
            "reason FROM vintage_left_out ORDER BY side, code"
        ).fetchall()
    finally:
        con.unregister("vintage_assignments")
        con.unregister("vintage_left_out")


def occupations_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The store's O*NET occupations (onet_code, title), the input of build_vintage."""
    return con.execute("SELECT onet_code, title FROM occupations ORDER BY onet_code").df()
