"""Release files: read YAML, JSON or CSV into raw records (nothing checked but the file
itself), and write a release as the YAML of data/releases/<id>.yaml.

Reading refuses what no record can come from: an unknown format, anything but a regular file
(a FIFO or /dev/zero would never end), a file over MAX_FILE_BYTES, text that is not UTF-8,
YAML aliases (no billion-laughs expansion), explicit tags that fail, and duplicate keys.
"""

from __future__ import annotations

import csv
import io
import json
import re
import stat
from pathlib import Path
from typing import Any, ClassVar, Final

import yaml

from kb.errors import Problem, clip, type_name
from kb.releases.records import RELEASE_FIELDS, RawRecord, Release

MAX_FILE_BYTES: Final = 64 * 1024 * 1024
# CSV: lists are ';'-separated; relations are 'type:target' pairs; facts are not supported.
CSV_COLUMNS: Final = tuple(f for f in RELEASE_FIELDS if f != "facts")


class DuplicateKey(ValueError):
    """A mapping names the same key twice (the later value would silently win)."""


def read_records(path: Path, display: str | None = None) -> tuple[list[RawRecord], list[Problem]]:
    """Every record in a .yaml/.yml, .json or .csv file, or the problems that stop reading it."""
    name = display or str(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("yaml", "yml", "json", "csv"):
        return [], [
            Problem(name, "file", None, f"unknown format '.{fmt}' (use .yaml, .json or .csv)")
        ]
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return [], [Problem(name, "file", None, "is not a regular file")]
        size = info.st_size
        if size > MAX_FILE_BYTES:
            return [], [
                Problem(name, "file", None, f"is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
            ]
        raw = path.read_bytes()
    except OSError as exc:
        return [], [Problem(name, "file", None, f"cannot be read ({exc.strerror or exc})")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return [], [
            Problem(
                name,
                f"line {line}",
                None,
                f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            )
        ]
    if not text.strip():
        return [], [Problem(name, "file", None, "is empty (expected one or more release records)")]
    if fmt == "csv":
        return _read_csv(text, name)
    try:
        data = _load_json(text) if fmt == "json" else _load_yaml(text)
    except json.JSONDecodeError as exc:
        return [], [Problem(name, f"line {exc.lineno}", None, f"is not valid JSON: {exc.msg}")]
    except DuplicateKey as exc:
        return [], [Problem(name, "file", None, f"is not valid JSON: {exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return [], [Problem(name, where, None, f"is not valid YAML: {reason}")]
    except RecursionError:
        return [], [Problem(name, "file", None, "is nested too deeply to be a release record")]
    except (ValueError, TypeError, OverflowError) as exc:  # an explicit tag such as !!int abc
        return [], [Problem(name, "file", None, f"is not valid YAML: {clip(str(exc), 200)}")]
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


_BaseLoader = yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader


class _SafeLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """The safe loader, but dates stay text (kb.dates then reports '2023-02-30' as a bad date
    for its record and field, where yaml's own timestamp constructor would raise mid-parse),
    and a key given twice in one mapping is an error rather than the later value winning."""

    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                repeated = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key; the base constructor reports it
                continue
            if repeated:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"the key {key!r} appears twice in one mapping",
                    key_node.start_mark,
                )
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKey(f"the key {key!r} appears twice in one object")
        out[key] = value
    return out


def _load_json(text: str) -> Any:
    return json.loads(text, object_pairs_hook=_unique_keys)


def _load_yaml(text: str) -> Any:
    """yaml's safe loader, refusing aliases (no billion-laughs expansion from a small file)."""
    if "*" in text:  # an alias needs a '*'; only then pay for a scan of the parse events
        for event in yaml.parse(text, Loader=_SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                raise yaml.MarkedYAMLError(
                    problem=f"YAML aliases (*{event.anchor}) are not accepted",
                    problem_mark=event.start_mark,  # type: ignore[arg-type]
                )
    return yaml.load(text, Loader=_SafeLoader)


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
