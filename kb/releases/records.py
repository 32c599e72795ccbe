"""Release records: the Release, Relation and Fact types and the field-by-field check of one
record read from a file.

A record becomes a `Release` only if every field is valid; otherwise every problem is collected
as a `Problem` naming the file, the record and the field. Checks that need the other records or
the store (relation targets, cycles, duplicates) live in kb.releases.ingest.

The canonical form (`Release.to_dict`) is also the layout of data/releases/<id>.yaml.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from kb import dates
from kb.errors import Problem, clip, type_name
from kb.inputs import BadScalar, bad_scalars
from kb.vocabulary import KINDS, MODALITIES, RELATION_TYPES, DatePrecision

ID_PATTERN: Final = re.compile(r"[a-z0-9]+(?:[.-][a-z0-9]+)*")
# The one test of a web address, for release sources and label-set provenance alike.
URL_PATTERN: Final = re.compile(r"https?://[^\s/]+\S*")
# Control characters other than tab and newline have no business in a record.
CONTROL_CHARS: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Release dates outside these years are typing mistakes (0023 for 2023).
FIRST_YEAR: Final = 1900
LAST_YEAR: Final = 2100

MAX_ID: Final = 64
MAX_SHORT: Final = 300  # names, organisations, parameters, subjects, attributes, units
MAX_LONG: Final = 4000  # summaries, access, notes, caveats, fact values
MAX_URL: Final = 2048
MAX_ITEMS: Final = 500  # list lengths (sources, relations, facts, organisations)

RELEASE_FIELDS: Final = (
    "id",
    "name",
    "organisations",
    "date",
    "kind",
    "modalities",
    "access",
    "parameters",
    "summary",
    "seed_position",
    "sources",
    "relations",
    "facts",
)
RELATION_FIELDS: Final = ("type", "target", "note", "caveat", "source")
FACT_FIELDS: Final = ("subject", "attribute", "value", "unit", "as_of", "caveat", "source")


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
            {
                "type": self.type,
                "target": self.target,
                "note": self.note,
                "caveat": self.caveat,
                "source": self.source,
            }
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
            {
                "subject": self.subject,
                "attribute": self.attribute,
                "value": self.value,
                "unit": self.unit,
                "as_of": self.as_of,
                "caveat": self.caveat,
                "source": self.source,
            }
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
    def date_precision(self) -> DatePrecision | None:
        return dates.parse(self.date).precision if self.date else None

    @property
    def first_day(self) -> dt.date | None:
        return dates.first_day(self.date) if self.date else None

    def to_dict(self) -> dict[str, Any]:
        """The canonical form, in field order, without empty fields (the YAML file layout)."""
        out = {
            "id": self.id,
            "name": self.name,
            "organisations": list(self.organisations),
            "date": self.date,
            "kind": self.kind,
            "modalities": list(self.modalities),
            "access": self.access,
            "parameters": self.parameters,
            "summary": self.summary,
            "seed_position": self.seed_position,
            "sources": list(self.sources),
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
            parts.append(f"id '{clip(rid, 40)}'")
        return f"record {self.number}" + (f" ({', '.join(parts)})" if parts else "")


# --- dates -----------------------------------------------------------------------------------


def release_date(value: Any, *, partial: bool = True) -> str:
    """A release or fact date as canonical text ('2023-03-14', '2023-03', '2023'), within the
    years FIRST_YEAR-LAST_YEAR; else ValueError with the message for the record's problem."""
    parsed = dates.parse(value, partial=partial)
    if not FIRST_YEAR <= parsed.first_day.year <= LAST_YEAR:
        raise ValueError(
            f"'{value.strip() if isinstance(value, str) else value}' is outside the "
            f"years {FIRST_YEAR}-{LAST_YEAR}"
        )
    return value.strip() if isinstance(value, str) else str(parsed)


def organisation_id(name: str) -> str:
    """A stable key for an organisation name: 'Meta AI' -> 'meta-ai'."""
    out, dash = [], False
    for ch in name.lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


# --- validating one record -------------------------------------------------------------------


class _Checker:
    """Collects problems for one record while converting its fields."""

    def __init__(self, raw: RawRecord) -> None:
        self.raw = raw
        self.problems: list[Problem] = []

    def problem(self, fld: str | None, message: str) -> None:
        self.problems.append(Problem(self.raw.file, self.raw.where, fld, message))

    def text(
        self,
        data: dict[str, Any],
        key: str,
        fld: str,
        *,
        limit: int,
        required: bool = False,
        numbers_ok: bool = False,
    ) -> str | None:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(fld, "is required")
            return None
        if numbers_ok and isinstance(value, (int, float, date)) and not isinstance(value, bool):
            value = value.isoformat() if isinstance(value, date) else str(value)
        if not isinstance(value, str):
            hint = " (quote it)" if isinstance(value, (bool, int, float, date)) else ""
            self.problem(fld, f"must be text, got {type_name(value)}{hint}")
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
            self.problem(fld, f"'{clip(value, 60)}' is not a URL (http:// or https://)")
            return None
        return value

    def items(self, data: dict[str, Any], key: str) -> list[Any]:
        value = data.get(key)
        if value is None:
            return []
        if isinstance(value, (str, dict)):
            value = [value]
        if not isinstance(value, list):
            self.problem(key, f"must be a list, got {type_name(value)}")
            return []
        if len(value) > MAX_ITEMS:
            self.problem(key, f"has {len(value):,} entries; the limit is {MAX_ITEMS}")
            return []
        return value

    def unknown_fields(
        self, data: dict[str, Any], known: tuple[str, ...], prefix: str = ""
    ) -> None:
        for key in data:
            if key not in known:
                self.problem(f"{prefix}{key}", f"unknown field (known: {', '.join(known)})")


def validate(raw: RawRecord) -> tuple[Release | None, list[Problem]]:
    """Turn one raw record into a Release, or report everything wrong with it."""
    if isinstance(raw.data, BadScalar):
        return None, [Problem(raw.file, raw.where, None, raw.data.message)]
    tagged = list(bad_scalars(raw.data)) if isinstance(raw.data, dict) else []
    if tagged:
        return None, _tag_problems(raw, tagged)
    return _validate(raw)


def _tag_problems(raw: RawRecord, tagged: list[tuple[str, BadScalar]]) -> list[Problem]:
    """Each failed YAML tag for its field, then the record's other problems, leaving out those
    of the same fields (checked again once the tags are fixed)."""
    out = [Problem(raw.file, raw.where, path, bad.message) for path, bad in tagged]
    fields = {_top_field(path) for path, _ in tagged}
    plain = RawRecord(raw.file, raw.number, _untagged(raw.data), raw.line)
    _, rest = _validate(plain)
    return out + [p for p in rest if _top_field(p.field or "") not in fields]


def _top_field(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def _untagged(value: Any) -> Any:
    """The value with each BadScalar replaced by its text."""
    if isinstance(value, BadScalar):
        return value.text
    if isinstance(value, dict):
        return {k: _untagged(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_untagged(v) for v in value]
    return value


def _validate(raw: RawRecord) -> tuple[Release | None, list[Problem]]:
    check = _Checker(raw)
    data = raw.data
    if not isinstance(data, dict):
        check.problem(None, f"must be a mapping of fields, got {type_name(data)}")
        return None, check.problems
    data = {str(k): v for k, v in data.items()}
    check.unknown_fields(data, RELEASE_FIELDS)

    rid = check.text(data, "id", "id", limit=MAX_ID + 1, required=True)
    if rid is not None and (len(rid) > MAX_ID or not ID_PATTERN.fullmatch(rid)):
        check.problem(
            "id",
            f"'{clip(rid, 70)}' is not a valid id (lower-case letters and digits "
            f"joined by '-' or '.', at most {MAX_ID} characters, e.g. 'gpt-4')",
        )
        rid = None
    name = check.text(data, "name", "name", limit=MAX_SHORT, required=True)
    kind = check.text(data, "kind", "kind", limit=MAX_SHORT, required=True)
    if kind is not None and kind not in KINDS:
        check.problem("kind", f"'{clip(kind, 40)}' is not a known kind ({', '.join(KINDS)})")
        kind = None

    when: str | None = None
    if data.get("date") is None:
        if kind is not None and kind != "external":
            check.problem("date", "is required (only kind 'external' may have no date)")
    else:
        try:
            when = release_date(data["date"])
        except ValueError as exc:
            check.problem("date", str(exc))

    organisations: list[str] = []
    for i, item in enumerate(check.items(data, "organisations"), start=1):
        org = check.text({"o": item}, "o", f"organisations[{i}]", limit=MAX_SHORT)
        if org is not None and org not in organisations:
            organisations.append(org)
    if (
        not organisations
        and kind not in (None, "external")
        and not any((p.field or "").startswith("organisations") for p in check.problems)
    ):
        check.problem("organisations", "is required (at least one organisation)")

    modalities: list[str] = []
    for i, item in enumerate(check.items(data, "modalities"), start=1):
        mod = check.text({"m": item}, "m", f"modalities[{i}]", limit=MAX_SHORT)
        if mod is None:
            continue
        if mod not in MODALITIES:
            check.problem(
                f"modalities[{i}]",
                f"'{clip(mod, 40)}' is not a known modality ({', '.join(MODALITIES)})",
            )
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
        id=rid,
        name=name,
        kind=kind,
        date=when,
        organisations=tuple(organisations),
        modalities=tuple(sorted(modalities)),
        access=access,
        parameters=parameters,
        summary=summary,
        seed_position=seed_position,
        sources=tuple(sources),
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
    rtype: Any
    target: Any
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


def _relations(
    check: _Checker, data: dict[str, Any], rid: str | None, default_source: str | None
) -> list[Relation]:
    out: list[Relation] = []
    seen: set[tuple[str, str]] = set()
    rtype: str | None
    target: str | None
    for i, item in enumerate(check.items(data, "relations"), start=1):
        at = f"relations[{i}]"
        if isinstance(item, str):
            kind, sep, target = item.partition(":")
            item = {"type": kind.strip(), "target": target.strip()} if sep else item
        if not isinstance(item, dict):
            check.problem(
                at,
                f"must be a mapping with type and target (or 'type:target'), got {type_name(item)}",
            )
            continue
        item = {str(k): v for k, v in item.items()}
        check.unknown_fields(item, RELATION_FIELDS, prefix=f"{at}.")
        rtype = check.text(item, "type", f"{at}.type", limit=MAX_SHORT, required=True)
        if rtype is not None and rtype not in RELATION_TYPES:
            check.problem(
                f"{at}.type",
                f"'{clip(rtype, 40)}' is not a known relation type ({', '.join(RELATION_TYPES)})",
            )
            rtype = None
        target = check.text(item, "target", f"{at}.target", limit=MAX_ID + 1, required=True)
        if target is not None and not ID_PATTERN.fullmatch(target):
            check.problem(f"{at}.target", f"'{clip(target, 40)}' is not a valid release id")
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


def _facts(
    check: _Checker, data: dict[str, Any], name: str | None, default_source: str | None
) -> list[Fact]:
    out: list[Fact] = []
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(check.items(data, "facts"), start=1):
        at = f"facts[{i}]"
        if not isinstance(item, dict):
            check.problem(
                at, f"must be a mapping (subject, attribute, value, ...), got {type_name(item)}"
            )
            continue
        item = {str(k): v for k, v in item.items()}
        check.unknown_fields(item, FACT_FIELDS, prefix=f"{at}.")
        subject = check.text(item, "subject", f"{at}.subject", limit=MAX_SHORT) or name
        attribute = check.text(item, "attribute", f"{at}.attribute", limit=MAX_SHORT, required=True)
        value = check.text(
            item, "value", f"{at}.value", limit=MAX_LONG, required=True, numbers_ok=True
        )
        unit = check.text(item, "unit", f"{at}.unit", limit=MAX_SHORT)
        as_of = None
        if item.get("as_of") is not None:
            try:
                as_of = release_date(item["as_of"], partial=False)
            except ValueError as exc:
                check.problem(f"{at}.as_of", str(exc))
        caveat = check.text(item, "caveat", f"{at}.caveat", limit=MAX_LONG)
        source = check.url(item, "source", f"{at}.source", required=False) or default_source
        if subject and attribute and value is not None and source:
            if (subject, attribute) in seen:
                check.problem(at, f"repeats the fact '{attribute}' of '{clip(subject, 40)}'")
                continue
            seen.add((subject, attribute))
            out.append(Fact(subject, attribute, value, source, unit, as_of, caveat))
    return out


def _without_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}
