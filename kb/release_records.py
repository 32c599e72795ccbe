"""Release records: read them from YAML, JSON or CSV files and check each one field by field.

A record becomes a `Release` only if every field is valid; otherwise every problem is collected
as a `Problem` naming the file, the record and the field. Checks that need the other records or
the store (relation targets, cycles, duplicates) live in kb.releases.

The canonical form (`Release.to_dict`) is also the layout of data/releases/<id>.yaml.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from kb.errors import Problem
from kb.vocabulary import KINDS, MODALITIES, RELATION_TYPES

ID_PATTERN = re.compile(r"[a-z0-9]+(?:[.-][a-z0-9]+)*")
URL_PATTERN = re.compile(r"https?://[^\s/]+\S*")
DATE_PATTERN = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
# Control characters other than tab and newline have no business in a record.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_ID = 64
MAX_SHORT = 300  # names, organisations, parameters, subjects, attributes, units
MAX_LONG = 4000  # summaries, access, notes, caveats, fact values
MAX_URL = 2048
MAX_ITEMS = 500  # list lengths (sources, relations, facts, organisations)

RELEASE_FIELDS = (
    "id", "name", "organisations", "date", "kind", "modalities", "access", "parameters",
    "summary", "seed_position", "sources", "relations", "facts",
)
RELATION_FIELDS = ("type", "target", "note", "caveat", "source")
FACT_FIELDS = ("subject", "attribute", "value", "unit", "as_of", "caveat", "source")
# CSV: lists are ';'-separated; relations are 'type:target' pairs; facts are not supported.
CSV_COLUMNS = tuple(f for f in RELEASE_FIELDS if f != "facts")


@dataclass(frozen=True)
class Relation:
    """Lineage: the release was built from / with `target` in the way `type` says."""

    type: str
    target: str
    source: str
    note: str | None = None
    caveat: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _without_none(
            {"type": self.type, "target": self.target, "note": self.note,
             "caveat": self.caveat, "source": self.source}
        )


@dataclass(frozen=True)
class Fact:
    subject: str
    attribute: str
    value: str
    source: str
    unit: str | None = None
    as_of: str | None = None  # YYYY-MM-DD
    caveat: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _without_none(
            {"subject": self.subject, "attribute": self.attribute, "value": self.value,
             "unit": self.unit, "as_of": self.as_of, "caveat": self.caveat, "source": self.source}
        )


@dataclass(frozen=True)
class Release:
    id: str
    name: str
    kind: str
    date: str | None  # 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY'; None only for kind 'external'
    organisations: tuple[str, ...] = ()
    modalities: tuple[str, ...] = ()
    access: str | None = None
    parameters: str | None = None
    summary: str | None = None
    seed_position: int | None = None
    sources: tuple[str, ...] = ()
    relations: tuple[Relation, ...] = ()
    facts: tuple[Fact, ...] = ()

    @property
    def date_precision(self) -> str | None:
        return date_precision(self.date) if self.date else None

    @property
    def first_day(self) -> date | None:
        return first_day(self.date) if self.date else None

    def to_dict(self) -> dict[str, Any]:
        """The canonical form, in field order, without empty fields (the YAML file layout)."""
        out = {
            "id": self.id, "name": self.name, "organisations": list(self.organisations),
            "date": self.date, "kind": self.kind, "modalities": list(self.modalities),
            "access": self.access, "parameters": self.parameters, "summary": self.summary,
            "seed_position": self.seed_position, "sources": list(self.sources),
            "relations": [r.to_dict() for r in self.relations],
            "facts": [f.to_dict() for f in self.facts],
        }
        return {k: v for k, v in out.items() if v not in (None, [])}


@dataclass
class RawRecord:
    """One record as read from a file, before validation, with where it came from."""

    file: str
    number: int  # 1-based position in the file
    data: Any
    line: int | None = None  # CSV: the line the record starts on

    @property
    def where(self) -> str:
        rid = self.data.get("id") if isinstance(self.data, dict) else None
        parts = [f"line {self.line}"] if self.line else []
        if isinstance(rid, str) and rid.strip():
            parts.append(f"id '{_clip(rid, 40)}'")
        return f"record {self.number}" + (f" ({', '.join(parts)})" if parts else "")


# --- dates -----------------------------------------------------------------------------------


def date_precision(text: str) -> str:
    return {1: "year", 2: "month", 3: "day"}[len(text.split("-"))]


def first_day(text: str) -> date:
    parts = [int(p) for p in text.split("-")] + [1, 1]
    return date(parts[0], parts[1], parts[2])


def format_date(day: date, precision: str) -> str:
    return {"day": day.isoformat(), "month": day.isoformat()[:7], "year": str(day.year)}[precision]


def parse_date(value: Any, *, allow_partial: bool = True) -> str:
    """An ISO date as text ('2023-03-14', or '2023-03' / '2023' when allow_partial); else ValueError."""
    if isinstance(value, datetime):
        raise ValueError(f"'{value}' has a time of day; give a date (YYYY-MM-DD)")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool) and allow_partial:
        value = str(value)
    wanted = "YYYY-MM-DD, YYYY-MM or YYYY" if allow_partial else "YYYY-MM-DD"
    if not isinstance(value, str):
        raise ValueError(f"must be a date ({wanted}), got {_type_name(value)}")
    match = DATE_PATTERN.fullmatch(value.strip())
    if not match or (not allow_partial and match.group(3) is None):
        raise ValueError(f"'{_clip(value, 40)}' is not a date ({wanted})")
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        date(year, month or 1, day or 1)  # type: ignore[arg-type]
    except ValueError:
        raise ValueError(f"'{value.strip()}' is not a date ({wanted})") from None
    if not 1900 <= year <= 2100:  # type: ignore[operator]
        raise ValueError(f"'{value.strip()}' is outside the years 1900-2100")
    return value.strip()


# --- reading files ---------------------------------------------------------------------------


def read_records(path: Path, display: str | None = None) -> tuple[list[RawRecord], list[Problem]]:
    """Every record in a .yaml/.yml, .json or .csv file, or the problems that stop reading it."""
    name = display or str(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("yaml", "yml", "json", "csv"):
        return [], [Problem(name, "file", None, f"unknown format '.{fmt}' (use .yaml, .json or .csv)")]
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return [], [Problem(name, "file", None, f"is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")]
        raw = path.read_bytes()
    except OSError as exc:
        return [], [Problem(name, "file", None, f"cannot be read ({exc.strerror or exc})")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return [], [Problem(name, f"line {line}", None,
                            f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})")]
    if not text.strip():
        return [], [Problem(name, "file", None, "is empty (expected one or more release records)")]
    if fmt == "csv":
        return _read_csv(text, name)
    try:
        data = json.loads(text) if fmt == "json" else _load_yaml(text)
    except json.JSONDecodeError as exc:
        return [], [Problem(name, f"line {exc.lineno}", None, f"is not valid JSON: {exc.msg}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return [], [Problem(name, where, None, f"is not valid YAML: {reason}")]
    except RecursionError:
        return [], [Problem(name, "file", None, "is nested too deeply to be a release record")]
    if isinstance(data, dict) and set(data) == {"releases"}:
        data = data["releases"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        return [], [Problem(name, "file", None,
                            f"must hold a release record or a list of them, not {_type_name(data)}")]
    if not data:
        return [], [Problem(name, "file", None, "holds no records")]
    return [RawRecord(name, i, item) for i, item in enumerate(data, start=1)], []


_BaseLoader = yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader


class _SafeLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """The safe loader, but dates stay text: parse_date then reports '2023-02-30' as a bad date
    for its record and field, where yaml's own timestamp constructor would raise mid-parse."""

    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }


def _load_yaml(text: str) -> Any:
    """yaml's safe loader, refusing aliases (no billion-laughs expansion from a small file)."""
    if "*" in text:  # an alias needs a '*'; only then pay for a scan of the parse events
        for event in yaml.parse(text, Loader=_SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                raise yaml.MarkedYAMLError(
                    problem=f"YAML aliases (*{event.anchor}) are not accepted",
                    problem_mark=event.start_mark,
                )
    return yaml.load(text, Loader=_SafeLoader)


def _read_csv(text: str, name: str) -> tuple[list[RawRecord], list[Problem]]:
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        header = reader.fieldnames or []
        problems = [
            Problem(name, "line 1", col, f"unknown column (known: {', '.join(CSV_COLUMNS)})")
            for col in header if col not in CSV_COLUMNS
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
                problems.append(Problem(name, f"record {number} (line {line})", None,
                                        f"has {len(header) + len(row[None])} cells; the header has {len(header)}"))
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


# --- validating one record -------------------------------------------------------------------


class _Checker:
    """Collects problems for one record while converting its fields."""

    def __init__(self, raw: RawRecord) -> None:
        self.raw = raw
        self.problems: list[Problem] = []

    def problem(self, fld: str | None, message: str) -> None:
        self.problems.append(Problem(self.raw.file, self.raw.where, fld, message))

    def text(self, data: dict[str, Any], key: str, fld: str, *, limit: int,
             required: bool = False, numbers_ok: bool = False) -> str | None:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(fld, "is required")
            return None
        if numbers_ok and isinstance(value, (int, float, date)) and not isinstance(value, bool):
            value = value.isoformat() if isinstance(value, date) else str(value)
        if not isinstance(value, str):
            hint = " (quote it)" if isinstance(value, (bool, int, float, date)) else ""
            self.problem(fld, f"must be text, got {_type_name(value)}{hint}")
            return None
        value = value.strip()
        if len(value) > limit:
            self.problem(fld, f"is {len(value):,} characters long; the limit is {limit:,}")
            return None
        if CONTROL_CHARS.search(value):
            char = CONTROL_CHARS.search(value).group()  # type: ignore[union-attr]
            self.problem(fld, f"contains the control character U+{ord(char):04X}")
            return None
        return value

    def url(self, data: dict[str, Any], key: str, fld: str, *, required: bool = True) -> str | None:
        value = self.text(data, key, fld, limit=MAX_URL, required=required)
        if value is not None and not URL_PATTERN.fullmatch(value):
            self.problem(fld, f"'{_clip(value, 60)}' is not a URL (http:// or https://)")
            return None
        return value

    def items(self, data: dict[str, Any], key: str) -> list[Any]:
        value = data.get(key)
        if value is None:
            return []
        if isinstance(value, (str, dict)):
            value = [value]
        if not isinstance(value, list):
            self.problem(key, f"must be a list, got {_type_name(value)}")
            return []
        if len(value) > MAX_ITEMS:
            self.problem(key, f"has {len(value):,} entries; the limit is {MAX_ITEMS}")
            return []
        return value

    def unknown_fields(self, data: dict[str, Any], known: tuple[str, ...], prefix: str = "") -> None:
        for key in data:
            if key not in known:
                self.problem(f"{prefix}{key}", f"unknown field (known: {', '.join(known)})")


def validate(raw: RawRecord) -> tuple[Release | None, list[Problem]]:
    """Turn one raw record into a Release, or report everything wrong with it."""
    check = _Checker(raw)
    data = raw.data
    if not isinstance(data, dict):
        check.problem(None, f"must be a mapping of fields, got {_type_name(data)}")
        return None, check.problems
    data = {str(k): v for k, v in data.items()}
    check.unknown_fields(data, RELEASE_FIELDS)

    rid = check.text(data, "id", "id", limit=MAX_ID + 1, required=True)
    if rid is not None and (len(rid) > MAX_ID or not ID_PATTERN.fullmatch(rid)):
        check.problem("id", f"'{_clip(rid, 70)}' is not a valid id (lower-case letters and digits "
                            f"joined by '-' or '.', at most {MAX_ID} characters, e.g. 'gpt-4')")
        rid = None
    name = check.text(data, "name", "name", limit=MAX_SHORT, required=True)
    kind = check.text(data, "kind", "kind", limit=MAX_SHORT, required=True)
    if kind is not None and kind not in KINDS:
        check.problem("kind", f"'{_clip(kind, 40)}' is not a known kind ({', '.join(KINDS)})")
        kind = None

    when: str | None = None
    if data.get("date") is None:
        if kind is not None and kind != "external":
            check.problem("date", "is required (only kind 'external' may have no date)")
    else:
        try:
            when = parse_date(data["date"])
        except ValueError as exc:
            check.problem("date", str(exc))

    organisations: list[str] = []
    for i, item in enumerate(check.items(data, "organisations"), start=1):
        org = check.text({"o": item}, "o", f"organisations[{i}]", limit=MAX_SHORT)
        if org is not None and org not in organisations:
            organisations.append(org)
    if not organisations and kind not in (None, "external") and not any(
        (p.field or "").startswith("organisations") for p in check.problems
    ):
        check.problem("organisations", "is required (at least one organisation)")

    modalities: list[str] = []
    for i, item in enumerate(check.items(data, "modalities"), start=1):
        mod = check.text({"m": item}, "m", f"modalities[{i}]", limit=MAX_SHORT)
        if mod is None:
            continue
        if mod not in MODALITIES:
            check.problem(f"modalities[{i}]", f"'{_clip(mod, 40)}' is not a known modality "
                                              f"({', '.join(MODALITIES)})")
        elif mod not in modalities:
            modalities.append(mod)

    access = check.text(data, "access", "access", limit=MAX_LONG)
    parameters = check.text(data, "parameters", "parameters", limit=MAX_SHORT, numbers_ok=True)
    summary = check.text(data, "summary", "summary", limit=MAX_LONG)
    seed_position = _seed_position(check, data.get("seed_position"))

    sources: list[str] = []
    for i, item in enumerate(check.items(data, "sources"), start=1):
        url = check.url({"u": item}, "u", f"sources[{i}]")
        if url is not None and url not in sources:
            sources.append(url)
    if not sources and not any((p.field or "").startswith("sources") for p in check.problems):
        check.problem("sources", "is required (at least one URL)")
    default_source = sources[0] if sources else None

    relations = _relations(check, data, rid, default_source)
    facts = _facts(check, data, name, default_source)

    if check.problems:
        return None, check.problems
    assert rid and name and kind  # guaranteed when there are no problems
    release = Release(
        id=rid, name=name, kind=kind, date=when, organisations=tuple(organisations),
        modalities=tuple(sorted(modalities)), access=access, parameters=parameters,
        summary=summary, seed_position=seed_position, sources=tuple(sources),
        relations=tuple(sorted(relations, key=lambda r: (r.target, r.type))),
        facts=tuple(facts),
    )
    return release, []


def loose_relations(raw: RawRecord) -> list[tuple[int, str, str]]:
    """(position, type, target) of every relation of a refused record that names a plausible
    target id, so that unknown targets are reported in the same pass as its other problems."""
    data = raw.data if isinstance(raw.data, dict) else {}
    items = data.get("relations")
    items = [items] if isinstance(items, (str, dict)) else items if isinstance(items, list) else []
    out = []
    for i, item in enumerate(items, start=1):
        if isinstance(item, str):
            rtype, _, target = item.partition(":")
        elif isinstance(item, dict):
            rtype, target = item.get("type"), item.get("target")
        else:
            continue
        if isinstance(rtype, str) and isinstance(target, str):
            target = target.strip()
            if ID_PATTERN.fullmatch(target) and target != data.get("id"):
                out.append((i, rtype.strip(), target))
    return out


def _seed_position(check: _Checker, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
        check.problem("seed_position", "must be a whole number from 1 to 100")
        return None
    return value


def _relations(check: _Checker, data: dict[str, Any], rid: str | None,
               default_source: str | None) -> list[Relation]:
    out: list[Relation] = []
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(check.items(data, "relations"), start=1):
        at = f"relations[{i}]"
        if isinstance(item, str):
            kind, sep, target = item.partition(":")
            item = {"type": kind.strip(), "target": target.strip()} if sep else item
        if not isinstance(item, dict):
            check.problem(at, f"must be a mapping with type and target (or 'type:target'), "
                              f"got {_type_name(item)}")
            continue
        item = {str(k): v for k, v in item.items()}
        check.unknown_fields(item, RELATION_FIELDS, prefix=f"{at}.")
        rtype = check.text(item, "type", f"{at}.type", limit=MAX_SHORT, required=True)
        if rtype is not None and rtype not in RELATION_TYPES:
            check.problem(f"{at}.type", f"'{_clip(rtype, 40)}' is not a known relation type "
                                        f"({', '.join(RELATION_TYPES)})")
            rtype = None
        target = check.text(item, "target", f"{at}.target", limit=MAX_ID + 1, required=True)
        if target is not None and not ID_PATTERN.fullmatch(target):
            check.problem(f"{at}.target", f"'{_clip(target, 40)}' is not a valid release id")
            target = None
        if target is not None and target == rid:
            check.problem(f"{at}.target", "a release cannot be related to itself")
            target = None
        note = check.text(item, "note", f"{at}.note", limit=MAX_LONG)
        caveat = check.text(item, "caveat", f"{at}.caveat", limit=MAX_LONG)
        source = check.url(item, "source", f"{at}.source", required=False) or default_source
        if rtype and target:
            if (rtype, target) in seen:
                check.problem(at, f"repeats the relation {rtype} -> '{target}'")
                continue
            seen.add((rtype, target))
            if source:
                out.append(Relation(rtype, target, source, note, caveat))
    return out


def _facts(check: _Checker, data: dict[str, Any], name: str | None,
           default_source: str | None) -> list[Fact]:
    out: list[Fact] = []
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(check.items(data, "facts"), start=1):
        at = f"facts[{i}]"
        if not isinstance(item, dict):
            check.problem(at, f"must be a mapping (subject, attribute, value, ...), "
                              f"got {_type_name(item)}")
            continue
        item = {str(k): v for k, v in item.items()}
        check.unknown_fields(item, FACT_FIELDS, prefix=f"{at}.")
        subject = check.text(item, "subject", f"{at}.subject", limit=MAX_SHORT) or name
        attribute = check.text(item, "attribute", f"{at}.attribute", limit=MAX_SHORT, required=True)
        value = check.text(item, "value", f"{at}.value", limit=MAX_LONG, required=True,
                           numbers_ok=True)
        unit = check.text(item, "unit", f"{at}.unit", limit=MAX_SHORT)
        as_of = None
        if item.get("as_of") is not None:
            try:
                as_of = parse_date(item["as_of"], allow_partial=False)
            except ValueError as exc:
                check.problem(f"{at}.as_of", str(exc))
        caveat = check.text(item, "caveat", f"{at}.caveat", limit=MAX_LONG)
        source = check.url(item, "source", f"{at}.source", required=False) or default_source
        if subject and attribute and value is not None and source:
            if (subject, attribute) in seen:
                check.problem(at, f"repeats the fact '{attribute}' of '{_clip(subject, 40)}'")
                continue
            seen.add((subject, attribute))
            out.append(Fact(subject, attribute, value, source, unit, as_of, caveat))
    return out


# --- writing ---------------------------------------------------------------------------------


def to_yaml(release: Release) -> str:
    """The release as the text of data/releases/<id>.yaml (stable layout: reviewable diffs)."""
    return yaml.dump(
        release.to_dict(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
        default_flow_style=False,
    )


class _Dumper(yaml.CSafeDumper if hasattr(yaml, "CSafeDumper") else yaml.SafeDumper):  # type: ignore[misc]
    pass


def _without_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _type_name(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", bool: "a boolean", int: "a number",
             float: "a number", type(None): "nothing", str: "text"}
    for typ, label in names.items():
        if type(value) is typ:
            return label
    if isinstance(value, date):
        return "a date"
    return type(value).__name__


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = [
    "Fact", "RawRecord", "Relation", "Release", "format_date", "first_day", "parse_date",
    "read_records", "to_yaml", "validate",
]
