"""Release files: read YAML, JSON or CSV into raw records (nothing checked but the file
itself), and write a release as the YAML of data/releases/<id>.yaml.

Reading refuses what no record can come from: an unknown format, anything but a regular file
(a FIFO or /dev/zero would never end), a file over MAX_FILE_BYTES, text that is not UTF-8,
YAML aliases (no billion-laughs expansion) and duplicate keys (kb.inputs has those rules). A
YAML scalar whose tag fails (`!!int abc`) reaches validation as a kb.inputs.BadScalar, reported
for its record and field.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any, Final

import yaml

from kb.errors import MAX_COLLECTED_PROBLEMS, Problem, type_name
from kb.inputs import (
    MEGABYTE,
    DuplicateKeyError,
    InputFileError,
    decode_utf8,
    load_json,
    load_yaml,
    read_input_bytes,
    yaml_problem,
)
from kb.releases.records import RELEASE_FIELDS, RawRecord, Release

# A release record is a kilobyte or two, so this is thousands of them. It bounds the work a file
# can cause before anything is checked: parsed YAML takes about 90 times its size in memory
# (a 6.5 MB file of small records took 570 MB and minutes), JSON about 10 times.
MAX_FILE_BYTES: Final = 4 * MEGABYTE
# CSV: lists are ';'-separated; relations are 'type:target' pairs; facts are not supported.
CSV_COLUMNS: Final = tuple(f for f in RELEASE_FIELDS if f != "facts")


def read_records(path: Path, display: str | None = None) -> tuple[list[RawRecord], list[Problem]]:
    """Every record in a .yaml/.yml, .json or .csv file, or the problems that stop reading it."""
    name = display or str(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("yaml", "yml", "json", "csv"):
        return [], [
            Problem(name, "file", None, f"unknown format '.{fmt}' (use .yaml, .json or .csv)")
        ]
    try:
        text = decode_utf8(read_input_bytes(path, MAX_FILE_BYTES, name), name)
    except InputFileError as exc:
        return [], [exc.problem]
    if not text.strip():
        return [], [Problem(name, "file", None, "is empty (expected one or more release records)")]
    if fmt == "csv":
        return _read_csv(text, name)
    try:
        data = load_json(text) if fmt == "json" else load_yaml(text)
    except json.JSONDecodeError as exc:
        return [], [Problem(name, f"line {exc.lineno}", None, f"is not valid JSON: {exc.msg}")]
    except DuplicateKeyError as exc:
        where = f"line {exc.line}" if exc.line else "file"
        return [], [Problem(name, where, exc.key, "appears twice in one object")]
    except yaml.YAMLError as exc:
        return [], [yaml_problem(exc, name)]
    except RecursionError:
        return [], [Problem(name, "file", None, "is nested too deeply to be a release record")]
    if isinstance(data, dict) and set(data) == {"releases"}:
        data = data["releases"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        return [], [
            Problem(
                name,
                "file",
                None,
                f"must hold a release record or a list of them, not {type_name(data)}",
            )
        ]
    if not data:
        return [], [Problem(name, "file", None, "holds no records")]
    return [RawRecord(name, i, item) for i, item in enumerate(data, start=1)], []


def _read_csv(text: str, name: str) -> tuple[list[RawRecord], list[Problem]]:
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        header = reader.fieldnames or []
        problems = [
            Problem(name, "line 1", col, f"unknown column (known: {', '.join(CSV_COLUMNS)})")
            for col in header
            if col not in CSV_COLUMNS
        ]
        for required in ("id", "name", "kind"):
            if required not in header:
                problems.append(Problem(name, "line 1", required, "required column is missing"))
        if problems:
            return [], problems
        records = []
        for number, row in enumerate(reader, start=1):
            line = reader.line_num - row_lines(row) + 1
            if None in row:
                problems.append(
                    Problem(
                        name,
                        f"record {number} (line {line})",
                        None,
                        f"has {len(header) + len(row[None])} cells; the header has {len(header)}",
                    )
                )
                continue
            records.append(RawRecord(name, number, _csv_record(row), line=line))
            if len(problems) >= MAX_COLLECTED_PROBLEMS:
                break  # parse_files says the rest was not checked
    except csv.Error as exc:
        return [], [Problem(name, f"line {reader.line_num}", None, f"is not valid CSV: {exc}")]
    if not records and not problems:
        problems.append(Problem(name, "file", None, "holds no records (only a header)"))
    return records, problems


def row_lines(row: dict[str, Any]) -> int:
    """How many physical lines a CSV row spanned (quoted cells may hold newlines)."""
    return 1 + sum(v.count("\n") for v in row.values() if isinstance(v, str))


def _csv_record(row: dict[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for key, value in row.items():
        value = value.strip() if value else ""
        if not value:
            continue
        if key in ("organisations", "modalities", "sources"):
            record[key] = [v.strip() for v in re.split(r"[;\n]", value) if v.strip()]
        elif key == "relations":
            record[key] = [_csv_relation(v.strip()) for v in value.split(";") if v.strip()]
        else:
            record[key] = value
    return record


def _csv_relation(text: str) -> dict[str, str] | str:
    kind, sep, target = text.partition(":")
    return {"type": kind.strip(), "target": target.strip()} if sep else text


def to_yaml(release: Release) -> str:
    """The release as the text of data/releases/<id>.yaml (stable layout: reviewable diffs)."""
    return yaml.dump(
        release.to_dict(),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )


class _Dumper(yaml.CSafeDumper if hasattr(yaml, "CSafeDumper") else yaml.SafeDumper):  # type: ignore[misc]
    pass
