"""Task-label sets: read a label CSV, check it and its provenance, write it to data/ and the store.

A label set is one rater's E0/E1/E2 labels for O*NET tasks, with a record of who or what produced
it (a release in the timeline, or human annotators), how and when. `kb ingest labels` validates
everything first and writes nothing if anything is wrong; an accepted set is written to
data/labels/<rater>.csv + <rater>.yml (so `kb build` reloads it) and into the store (raters,
task_labels, exposure_sources) in one transaction.

File format (UTF-8 CSV, header on line 1, extra columns ignored):
    onet_code,task_id,label
    11-1011.00,8823,E2
`onet_code` may also be headed `O*NET-SOC Code`, `task_id` `Task ID` (the authors' headers).
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import yaml

from kb import config, datafiles, dates, provenance, store
from kb.errors import Problem, ProblemList, ValidationError, did_you_mean
from kb.exposure import loading as exposure_loading
from kb.inputs import (
    MEGABYTE,
    InputFileError,
    bad_scalars,
    decode_utf8,
    load_yaml,
    read_input_bytes,
    read_text,
)
from kb.inputs import yaml_problem as _yaml_problem
from kb.releases.records import URL_PATTERN
from kb.vocabulary import LABELS

RATER_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
ONET_CODE_PATTERN = re.compile(r"\d{2}-\d{4}\.\d{2}")
TASK_ID_PATTERN = re.compile(r"\d{1,9}(\.0+)?")  # 8823, or 8823.0 as in the authors' files
MAX_TEXT = 4000  # characters in a free-text field (rubric, producer, citation)
# A full label set for every O*NET task, with the task text beside it, is about 4 MB; the cap
# bounds the time and memory a wrong file can take before it is refused.
MAX_FILE_BYTES = 8 * MEGABYTE
MAX_RECORD_BYTES = MEGABYTE  # data/labels/<rater>.yml: a provenance record of a few lines

# Accepted header spellings (compared case-insensitively, surrounding spaces ignored).
COLUMNS: dict[str, tuple[str, ...]] = {
    "onet_code": ("onet_code", "o*net-soc code", "onet_soc_code"),
    "task_id": ("task_id", "task id"),
    "label": ("label",),
}

LABELS_DIR = "labels"
INGEST_HINT = "Fix the problems above and run `kb ingest labels` again."

SQL_TASKS = "SELECT task_id, onet_code FROM tasks"
SQL_RATERS = "SELECT rater FROM raters"
SQL_RELEASE = "SELECT id, name, date FROM releases WHERE id = ?"
SQL_RELEASE_IDS = "SELECT id FROM releases"
SQL_TASK_COUNT = "SELECT count(*) FROM tasks"
SQL_INSERT_RATER = "INSERT INTO raters (rater, description, source) VALUES (?, ?, ?)"
SQL_INSERT_LABELS = (
    "INSERT INTO task_labels (onet_code, task_id, rater, label) "
    "SELECT onet_code, task_id, ?, label FROM incoming_labels"
)


@dataclass(frozen=True)
class LabelRow:
    line: int
    onet_code: str
    task_id: int
    label: str


@dataclass(frozen=True)
class LabelSetRecord:
    """The provenance of one ingested label set (a row of exposure_sources)."""

    rater: str
    date: date
    produced_by_release: str | None = None
    producer: str | None = None
    rubric: str | None = None
    citation: str | None = None
    url: str | None = None

    @property
    def kind(self) -> str:
        return "model_labels" if self.produced_by_release else "human_annotation"

    @property
    def source_id(self) -> str:
        return f"labels-{self.rater}"


@dataclass(frozen=True)
class IngestReport:
    """What an ingest did (or, with dry_run, would do)."""

    rater: str
    source_id: str
    kind: str
    produced_by_release: str | None
    date: str
    rows: int
    occupations: int
    label_counts: dict[str, int]
    tasks_in_store: int
    dry_run: bool
    files: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The report as `kb ingest labels --format json` prints it."""
        return asdict(self)

    def summary(self) -> str:
        """One line: the rater added (or that would be), by whom, and its label counts."""
        verb = "Would add" if self.dry_run else "Added"
        counts = ", ".join(f"{k} {v:,}" for k, v in self.label_counts.items())
        who = (
            f"release {self.produced_by_release}"
            if self.produced_by_release
            else "human annotators"
        )
        return (
            f"{verb} rater {self.rater} ({self.kind}, by {who}, {self.date}): "
            f"{self.rows:,} of {self.tasks_in_store:,} tasks in {self.occupations:,} "
            f"occupations ({counts})"
        )


# ---------------------------------------------------------------------------------------------
# Reading the CSV


def _decode(raw: bytes, name: str) -> tuple[str | None, list[Problem]]:
    if not raw.strip():
        return None, [
            Problem(
                name,
                "line 1",
                None,
                "the file is empty (expected a header onet_code,task_id,label and label rows)",
            )
        ]
    try:
        return decode_utf8(raw, name), []
    except InputFileError as exc:
        return None, [exc.problem]


def _header_map(header: list[str], name: str) -> tuple[dict[str, int], list[Problem]]:
    problems: list[Problem] = []
    normalised = [h.strip().lower() for h in header]
    positions: dict[str, int] = {}
    for column, aliases in COLUMNS.items():
        found = [i for i, h in enumerate(normalised) if h in aliases]
        if not found:
            shown_header = _show(", ".join(header), 80) if header else "empty"
            problems.append(
                Problem(
                    name,
                    "line 1",
                    column,
                    f"column is missing (header: {shown_header})",
                )
            )
        elif len(found) > 1:
            problems.append(
                Problem(name, "line 1", column, f"column appears {len(found)} times in the header")
            )
        else:
            positions[column] = found[0]
    return positions, problems


def parse_rows(text: str, name: str) -> tuple[list[LabelRow], ProblemList]:
    """Rows of a label CSV with every format problem (file, line, field); no store needed.

    Reading stops once MAX_COLLECTED_PROBLEMS are found (the problems' `stopped` says so)."""
    problems = ProblemList()
    rows: list[LabelRow] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            return [], ProblemList([Problem(name, "line 1", None, "the file is empty")])
        positions, header_problems = _header_map(header, name)
        if header_problems:
            return [], ProblemList(header_problems)
        first_line: dict[int, int] = {}
        for record in reader:
            line = reader.line_num
            if problems.full:
                problems.stopped = f"the lines from line {line:,} of {name} were not checked"
                break
            if not record or all(not cell.strip() for cell in record):
                continue  # blank line
            where = f"line {line}"
            if len(record) != len(header):
                problems.append(
                    Problem(
                        name, where, None, f"has {len(record)} fields, the header has {len(header)}"
                    )
                )
                continue
            onet_code = record[positions["onet_code"]].strip()
            task_text = record[positions["task_id"]].strip()
            label = record[positions["label"]].strip()
            ok = True
            if not ONET_CODE_PATTERN.fullmatch(onet_code):
                problems.append(
                    Problem(
                        name,
                        where,
                        "onet_code",
                        f"{_show(onet_code)} is not an O*NET-SOC code (like 11-1011.00)",
                    )
                )
                ok = False
            if not TASK_ID_PATTERN.fullmatch(task_text):
                problems.append(
                    Problem(
                        name,
                        where,
                        "task_id",
                        f"{_show(task_text)} is not a task id (a whole number, like 8823)",
                    )
                )
                ok = False
            if label not in LABELS:
                problems.append(
                    Problem(name, where, "label", f"{_show(label)} is not a label (E0, E1 or E2)")
                )
                ok = False
            if not ok:
                continue
            task_id = int(float(task_text))
            if task_id in first_line:
                problems.append(
                    Problem(
                        name,
                        where,
                        "task_id",
                        f"task {task_id} is already labelled on line {first_line[task_id]}",
                    )
                )
                continue
            first_line[task_id] = line
            rows.append(LabelRow(line, onet_code, task_id, label))
    except csv.Error as exc:
        problems.append(Problem(name, f"line {reader.line_num}", None, f"is not valid CSV ({exc})"))
    if not rows and not problems:
        problems.append(Problem(name, "line 2", None, "no label rows after the header"))
    return rows, problems


def read_label_file(path: str | os.PathLike[str]) -> tuple[list[LabelRow], ProblemList]:
    """The rows of a label file and its problems; only a regular file of at most
    MAX_FILE_BYTES is read."""
    path = Path(path)
    name = path.name
    try:
        raw = read_input_bytes(path, MAX_FILE_BYTES, name)
    except InputFileError as exc:
        return [], ProblemList([exc.problem])
    text, decode_problems = _decode(raw, name)
    if text is None:
        return [], ProblemList(decode_problems)
    return parse_rows(text, name)


def _show(value: str, limit: int = 40) -> str:
    """A value quoted for a message, cut short (a field can be a megabyte)."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


# ---------------------------------------------------------------------------------------------
# Validating against the store


def rows_problems(con: duckdb.DuckDBPyConnection, rows: list[LabelRow], name: str) -> ProblemList:
    """Task ids that are not in the store, or not under the O*NET-SOC code given for them
    (up to MAX_COLLECTED_PROBLEMS; `stopped` then says where checking stopped)."""
    known = dict(con.execute(SQL_TASKS).fetchall())
    problems = ProblemList()
    for row in rows:
        if problems.full:
            problems.stopped = f"the rows from line {row.line:,} of {name} were not checked"
            break
        owner = known.get(row.task_id)
        if owner is None:
            problems.append(
                Problem(
                    name,
                    f"line {row.line}",
                    "task_id",
                    f"task {row.task_id} is not an O*NET task in the store",
                )
            )
        elif owner != row.onet_code:
            problems.append(
                Problem(
                    name,
                    f"line {row.line}",
                    "onet_code",
                    f"task {row.task_id} belongs to {owner}, not {row.onet_code}",
                )
            )
    return problems


def taken_raters(con: duckdb.DuckDBPyConnection, data_dir: Path | None = None) -> set[str]:
    names = {r[0] for r in con.execute(SQL_RATERS).fetchall()}
    if data_dir is not None and (data_dir / LABELS_DIR).is_dir():
        names |= {p.stem for p in (data_dir / LABELS_DIR).glob("*.yml")}
    return names


def record_problems(
    con: duckdb.DuckDBPyConnection,
    values: dict[str, Any],
    name: str,
    *,
    taken: set[str],
    where: str = "option",
) -> tuple[LabelSetRecord | None, list[Problem]]:
    """Check a label set's provenance fields; `where` says how to name them (option: --rater)."""
    problems: list[Problem] = []

    def problem(key: str, message: str) -> None:
        label = f"--{key.replace('_', '-')}" if where == "option" else where
        problems.append(Problem(name, label, None if where == "option" else key, message))

    rater = str(values.get("rater") or "").strip()
    if not rater:
        problem("rater", "a rater name is required")
    elif not RATER_PATTERN.fullmatch(rater):
        problem(
            "rater",
            f"{_show(rater)} is not a rater name (lower-case letters, digits and _, "
            "starting with a letter, at most 40 characters)",
        )
    elif rater in taken:
        problem(
            "rater",
            f"rater {rater!r} is already taken (raters: {', '.join(sorted(taken))}); "
            "choose a new name",
        )

    when = dates.parse_day(values.get("date"))
    if values.get("date") in (None, ""):
        problem("date", "a date is required (YYYY-MM-DD)")
    elif when is None:
        problem("date", f"{_show(str(values.get('date')))} is not a date (YYYY-MM-DD)")
    elif when > date.today():
        problem("date", f"{when.isoformat()} is in the future")

    release = values.get("produced_by_release") or values.get("produced_by")
    release = str(release).strip() if release else None
    if release and store.first_row(con, SQL_RELEASE, [release]) is None:
        ids = [r[0] for r in con.execute(SQL_RELEASE_IDS).fetchall()]
        hint = f" ({did_you_mean(release, ids) or 'see `kb timeline`'})"
        problem("produced_by", f"release {release!r} is not in the timeline{hint}")
    producer = values.get("producer")
    if not release and not producer:
        problem(
            "producer",
            "name who produced the labels: --produced-by RELEASE_ID for a model, "
            "or --producer TEXT for human annotators",
        )

    for key in ("producer", "rubric", "citation"):
        text = values.get(key)
        if text is not None and len(str(text)) > MAX_TEXT:
            problem(key, f"is {len(str(text)):,} characters long (at most {MAX_TEXT:,})")
    url = values.get("url")
    if url and not URL_PATTERN.fullmatch(str(url)):
        problem("url", f"{_show(str(url))} is not an http(s) URL")

    if problems or when is None:
        return None, problems
    return LabelSetRecord(
        rater=rater,
        date=when,
        produced_by_release=release,
        producer=str(producer) if producer else None,
        rubric=str(values["rubric"]) if values.get("rubric") else None,
        citation=str(values["citation"]) if values.get("citation") else None,
        url=str(url) if url else None,
    ), []


def _line_number(problem: Problem) -> int:
    """Sort key: file problems in line order (stable for several on one line)."""
    match = re.fullmatch(r"line (\d+)", problem.where)
    return int(match.group(1)) if match else 0


# ---------------------------------------------------------------------------------------------
# Writing: data/labels/<rater>.csv + .yml, and the store


def _frame(rows: list[LabelRow]) -> pd.DataFrame:
    frame = pd.DataFrame(
        [(r.onet_code, r.task_id, r.label) for r in rows], columns=["onet_code", "task_id", "label"]
    )
    return frame.sort_values(["onet_code", "task_id"], ignore_index=True)


def _describe(record: LabelSetRecord, release_name: str | None) -> str:
    who = (
        f"{release_name} (release {record.produced_by_release})"
        if record.produced_by_release
        else record.producer
    )
    return f"Ingested label set by {who}, {record.date.isoformat()}"


def _producer(record: LabelSetRecord, release_name: str | None) -> str:
    if record.producer:
        return record.producer
    return f"{release_name or record.produced_by_release} (release {record.produced_by_release})"


def record_yaml(record: LabelSetRecord, rows: int, release_name: str | None) -> dict[str, Any]:
    """The provenance record as stored in data/labels/<rater>.yml (same fields as the built-ins)."""
    return {
        "source_id": record.source_id,
        "rater": record.rater,
        "kind": record.kind,
        "level": "task",
        "produced_by_release": record.produced_by_release,
        "producer": _producer(record, release_name),
        "method": record.rubric or "E0/E1/E2 task exposure labels (no rubric text given)",
        "date": record.date.isoformat(),
        "citation": record.citation or "Ingested with `kb ingest labels` (no citation given)",
        "url": record.url,
        "labels_file": f"{record.rater}.csv",
        "tasks_labelled": rows,
    }


def insert_label_set(
    con: duckdb.DuckDBPyConnection, entry: dict[str, Any], rows: list[LabelRow], description: str
) -> None:
    """Insert a validated set: its rater, its labels and its exposure_sources row."""
    con.execute(
        SQL_INSERT_RATER, [entry["rater"], description, f"data/{LABELS_DIR}/{entry['labels_file']}"]
    )
    frame = _frame(rows)
    con.register("incoming_labels", frame)
    try:
        con.execute(SQL_INSERT_LABELS, [entry["rater"]])
    finally:
        con.unregister("incoming_labels")
    exposure_loading.store_exposure(con, [entry["rater"]])  # its shares read the stored rows
    provenance.insert_source(con, {**entry, "origin": "ingested"})


def ingest(
    path: str | os.PathLike[str],
    *,
    rater: str,
    date: str,
    produced_by: str | None = None,
    producer: str | None = None,
    rubric: str | None = None,
    citation: str | None = None,
    url: str | None = None,
    db: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    dry_run: bool = False,
) -> IngestReport:
    """Validate a label file and its provenance; unless dry_run, write data/labels/ and the store.

    Every problem is collected first (file, line or option, field) and raised as one
    ValidationError; nothing is written then. The files and the store change together: the
    store transaction commits only after the files are in place, and the files are removed if
    the transaction fails.
    """
    path = Path(path)
    data = config.data_dir(data_dir)
    values = {
        "rater": rater,
        "date": date,
        "produced_by_release": produced_by,
        "producer": producer,
        "rubric": rubric,
        "citation": citation,
        "url": url,
    }
    rows, problems = read_label_file(path)
    with datafiles.lock(data), store.connect(db, read_only=dry_run) as con:
        record, record_issues = record_problems(
            con, values, path.name, taken=taken_raters(con, data)
        )
        stopped = problems.stopped
        if rows and not stopped:
            in_store = rows_problems(con, rows, path.name)
            problems += in_store
            stopped = in_store.stopped
        refused = record_issues + sorted(problems, key=_line_number)
        if refused:
            raise ValidationError(refused, INGEST_HINT, stopped=stopped)
        assert record is not None
        release_name = None
        if record.produced_by_release:
            found = store.first_row(con, SQL_RELEASE, [record.produced_by_release])
            release_name = found[1] if found else None
        entry = record_yaml(record, len(rows), release_name)
        frame = _frame(rows)
        report = IngestReport(
            rater=record.rater,
            source_id=record.source_id,
            kind=record.kind,
            produced_by_release=record.produced_by_release,
            date=record.date.isoformat(),
            rows=len(rows),
            occupations=int(frame["onet_code"].nunique()),
            label_counts={lab: int((frame["label"] == lab).sum()) for lab in LABELS},
            tasks_in_store=int(con.execute(SQL_TASK_COUNT).fetchall()[0][0]),
            dry_run=dry_run,
        )
        if dry_run:
            return report
        # The files commit when the inner block ends, the store when the outer one does.
        with store.transaction(con), datafiles.batch(data) as files:
            files.write(f"{LABELS_DIR}/{record.rater}.csv", frame.to_csv(index=False).encode())
            files.write(
                f"{LABELS_DIR}/{record.rater}.yml",
                yaml.safe_dump(entry, sort_keys=False, allow_unicode=True).encode(),
            )
            insert_label_set(con, entry, rows, _describe(record, release_name))
            store.mark_ingested(con, data, files.pending)
        report.files.extend(str(p) for p in files.paths)
    return report


def load_saved_sets(con: duckdb.DuckDBPyConnection, data_dir: Path) -> int:
    """Load every data/labels/<rater>.yml + .csv into the store (kb build); return the count.

    The same checks as ingest apply, so a hand-edited file that went wrong fails the build with
    the file and line named rather than loading bad labels.
    """
    folder = data_dir / LABELS_DIR
    if not folder.is_dir():
        return 0
    loaded = 0
    for meta_path in sorted(folder.glob("*.yml")):
        fix = "Fix or remove the file and run `kb build` again."
        try:
            entry = load_yaml(read_text(meta_path, MAX_RECORD_BYTES, meta_path.name))
        except InputFileError as exc:
            raise ValidationError([exc.problem], fix) from None
        except yaml.YAMLError as exc:
            raise ValidationError([_yaml_problem(exc, meta_path.name)], fix) from None
        except RecursionError:
            raise ValidationError(
                [Problem(meta_path.name, "file", None, "is nested too deeply")], fix
            ) from None
        if not isinstance(entry, dict):
            raise ValidationError([Problem(meta_path.name, "file", None, "is not a mapping")], fix)
        tagged = list(bad_scalars(entry))
        if tagged:
            raise ValidationError(
                [Problem(meta_path.name, "record", path_, bad.message) for path_, bad in tagged],
                fix,
            )
        problems: list[Problem] = []
        taken = taken_raters(con)
        if entry.get("rater") != meta_path.stem:
            problems.append(
                Problem(
                    meta_path.name,
                    "record",
                    "rater",
                    f"{entry.get('rater')!r} does not match the file name",
                )
            )
        record, record_issues = record_problems(
            con, entry, meta_path.name, taken=taken, where="record"
        )
        problems += record_issues
        labels_file = str(entry.get("labels_file") or f"{meta_path.stem}.csv")
        if Path(labels_file).name != labels_file or not labels_file.endswith(".csv"):
            raise ValidationError(
                [
                    Problem(
                        meta_path.name,
                        "record",
                        "labels_file",
                        f"{_show(labels_file)} must be the name of a .csv file beside it",
                    )
                ],
                fix,
            )
        csv_path = folder / labels_file
        rows, row_issues = read_label_file(csv_path)
        if rows and not row_issues.stopped:
            in_store = rows_problems(con, rows, csv_path.name)
            row_issues += in_store
            row_issues.stopped = in_store.stopped
        problems += sorted(row_issues, key=_line_number)
        if problems or record is None:
            raise ValidationError(
                problems,
                "Fix the label set in data/labels/ and run `kb build` again.",
                stopped=row_issues.stopped,
            )
        entry = {
            **entry,
            "source_id": entry.get("source_id") or record.source_id,
            "kind": record.kind,
            "level": "task",
            "tasks_labelled": len(rows),
            "date": record.date.isoformat(),
            "producer": entry.get("producer") or record.produced_by_release,
            "method": entry.get("method") or "E0/E1/E2 task exposure labels",
            "citation": entry.get("citation") or "data/labels/" + meta_path.name,
        }
        insert_label_set(
            con,
            entry,
            rows,
            entry.get("description")
            or (f"Ingested label set by {entry.get('producer')}, {entry['date']}"),
        )
        loaded += 1
    return loaded
