"""Property tests for the input parsers: whatever a release file (YAML, JSON, CSV) or a label
file holds, reading and validating it gives records or clean problems naming where, never
another exception; and a valid record survives kb's own writer and reader unchanged."""

from __future__ import annotations

import contextlib
import json
import string
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kb import dates, labels
from kb.errors import Problem
from kb.inputs import load_json, load_yaml
from kb.releases import RawRecord, Release, read_records, to_yaml, validate
from kb.releases.records import FIRST_YEAR, LAST_YEAR, RELEASE_FIELDS
from kb.vocabulary import KINDS, LABELS, MODALITIES, RELATION_TYPES

EXAMPLES = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))

# --- strategies -------------------------------------------------------------------------------

# Pieces of YAML a careless or hostile writer produces: keys, tags, anchors, flow collections,
# dates that are not, numbers in every notation, indentation and quoting.
YAML_TOKENS = [
    *(f"{f}:" for f in RELEASE_FIELDS),
    "- ",
    "\n",
    "\n  ",
    "\n- ",
    " ",
    "\t",
    ": ",
    "? ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "'",
    '"',
    "#",
    "&a ",
    "*a",
    "<<: ",
    "---\n",
    "...\n",
    "|\n  ",
    ">\n  ",
    "!!int ",
    "!!float ",
    "!!bool ",
    "!!timestamp ",
    "!!binary ",
    "!!set ",
    "!!omap ",
    "!!pairs ",
    "!!map ",
    "!!seq ",
    "!!str ",
    "!!null ",
    "!!python/object:os.system ",
    "!!python/name:os.system ",
    "!custom ",
    "2023-02-30",
    "2023-03-14",
    "2023-03-14T10:00:00Z",
    "2023-13",
    "0023",
    "abc",
    "0b_",
    "0x",
    "._",
    ".inf",
    ".nan",
    "1e999",
    "99999999999999999999",
    "-1",
    "~",
    "null",
    "yes",
    "gpt-4",
    "llama",
    "fine_tuned_from:llama",
    "https://example.org/x",
    "javascript:alert(1)",
    "\x00",
    "\u2028",
    "\x85",
    "\ufeff",
]
JSON_TOKENS = [
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    '"id"',
    '"name"',
    '"date"',
    '"kind"',
    '"relations"',
    '"x"',
    '"2023-02-30"',
    '"model"',
    "1",
    "-0",
    "1e999",
    "NaN",
    "Infinity",
    "true",
    "null",
    " ",
    "\n",
    '"\\ud800"',
    '"\\u0000"',
]
CSV_TOKENS = [
    "id,name,kind",
    ",organisations,date,sources,relations,modalities,seed_position",
    "\n",
    "\r\n",
    ",",
    '"',
    '""',
    ";",
    "koala",
    "Koala",
    "model",
    "2023-02-30",
    "2023-04",
    "https://example.org/k",
    "fine_tuned_from:llama",
    "uses:",
    ":",
    "text",
    "\x00",
    "é",
]


def token_soup(tokens: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(tokens) | st.text(max_size=5), max_size=40).map("".join)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from([*RELEASE_FIELDS, "x", "type", "target"]), inner, max_size=6
        )
    ),
    max_leaves=25,
)

# --- any input: records or clean problems -------------------------------------------------------


def read_and_validate(path: Path) -> list[Problem]:
    """Read a file and validate every record; only Problems may come out, never an exception."""
    records, problems = read_records(path, path.name)
    assert (records == []) == bool(problems) or records
    for raw in records:
        release, record_problems = validate(raw)
        assert (release is None) == bool(record_problems)
        assert isinstance(release, (Release, type(None)))
        problems.extend(record_problems)
    for problem in problems:
        assert isinstance(problem, Problem) and problem.file == path.name and problem.where
        str(problem)  # every problem can be shown
    return problems


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("properties")


@EXAMPLES
@given(text=token_soup(YAML_TOKENS))
@example(text="date: !!timestamp 2023-02-30\nseed_position: !!int abc\nparameters: !!float x\n")
@example(text="- !!python/object/apply:os.system [ls]\n- !!map [1]\n")
@example(text="? [a, b]\n: 1\n")
def test_any_yaml_text_gives_records_or_problems(folder: Path, text: str) -> None:
    path = folder / "in.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    read_and_validate(path)


@EXAMPLES
@given(data=st.binary(max_size=300), suffix=st.sampled_from(["yaml", "json", "csv"]))
def test_any_bytes_give_records_or_problems(folder: Path, data: bytes, suffix: str) -> None:
    path = folder / f"in.{suffix}"
    path.write_bytes(data)
    read_and_validate(path)


@EXAMPLES
@given(text=token_soup(JSON_TOKENS) | json_values.map(json.dumps))
@example(text='{"id": "x", "relations": [{"id": 1}], "id": "llama"}')
def test_any_json_text_gives_records_or_problems(folder: Path, text: str) -> None:
    path = folder / "in.json"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    read_and_validate(path)


@EXAMPLES
@given(text=token_soup(CSV_TOKENS))
def test_any_csv_text_gives_records_or_problems(folder: Path, text: str) -> None:
    path = folder / "in.csv"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    read_and_validate(path)


@EXAMPLES
@given(value=json_values | st.dates() | st.datetimes())
def test_any_loaded_value_validates_or_is_refused(value: Any) -> None:
    release, problems = validate(RawRecord("in.yaml", 1, value))
    assert (release is None) == bool(problems)
    assert all(p.file == "in.yaml" and p.where.startswith("record 1") for p in problems)


@EXAMPLES
@given(value=json_values | st.dates() | st.datetimes() | token_soup(YAML_TOKENS))
def test_any_date_value_parses_or_raises_value_error(value: Any) -> None:
    try:
        parsed = dates.parse(value)
    except ValueError as exc:
        assert str(exc)
    else:
        assert dates.parse(str(parsed)) == parsed


@EXAMPLES
@given(text=token_soup(YAML_TOKENS))
def test_strict_yaml_loader_raises_only_yaml_errors(text: str) -> None:
    with contextlib.suppress(yaml.YAMLError, RecursionError):
        load_yaml(text)


@EXAMPLES
@given(text=token_soup(JSON_TOKENS))
def test_strict_json_loader_raises_only_value_errors(text: str) -> None:
    with contextlib.suppress(ValueError):  # JSONDecodeError and DuplicateKeyError
        load_json(text)


# --- valid records round-trip through kb's writer and reader ------------------------------------

# Text a record may hold: any character but the control characters validation refuses and
# surrogates (not UTF-8); stripped and non-empty, as validation leaves it. Tabs, newlines, C1
# controls, line separators and byte-order marks stay in: the YAML writer must keep them.
REFUSED = "".join(map(chr, [*range(0x09), *range(0x0B, 0x20), 0x7F]))
plain_text = (
    st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters=REFUSED),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)
release_ids = st.from_regex(r"[a-z0-9]{1,8}(?:[.-][a-z0-9]{1,8}){0,3}", fullmatch=True)
urls = st.builds(
    "https://{}.org/{}".format,
    st.text(string.ascii_lowercase, min_size=1, max_size=10),
    st.text(string.ascii_letters + string.digits + "/-_?=&%#", max_size=20),
)


@st.composite
def release_dates(draw: st.DrawFn) -> str:
    day = draw(st.dates(date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)))
    return dates.format(day, draw(st.sampled_from(["day", "month", "year"])))


@st.composite
def release_records(draw: st.DrawFn) -> dict[str, Any]:
    rid = draw(release_ids)
    sources = draw(st.lists(urls, min_size=1, max_size=3, unique=True))
    record: dict[str, Any] = {
        "id": rid,
        "name": draw(plain_text),
        "organisations": draw(st.lists(plain_text, min_size=1, max_size=3, unique=True)),
        "date": draw(release_dates()),
        "kind": draw(st.sampled_from(sorted(set(KINDS) - {"external"}))),
        "modalities": draw(st.lists(st.sampled_from(list(MODALITIES)), unique=True, max_size=3)),
        "sources": sources,
    }
    for key in ("access", "parameters", "summary"):
        if draw(st.booleans()):
            record[key] = draw(plain_text)
    if draw(st.booleans()):
        record["seed_position"] = draw(st.integers(1, 100))
    targets = draw(st.lists(release_ids.filter(lambda t: t != rid), max_size=3, unique=True))
    record["relations"] = [
        {
            "type": draw(st.sampled_from(list(RELATION_TYPES))),
            "target": target,
            **({"note": draw(plain_text)} if draw(st.booleans()) else {}),
            "source": draw(st.sampled_from(sources)),
        }
        for target in targets
    ]
    attributes = draw(st.lists(plain_text, max_size=3, unique=True))
    record["facts"] = [
        {
            "attribute": attribute,
            "value": draw(plain_text),
            **({"unit": draw(plain_text)} if draw(st.booleans()) else {}),
            **(
                {"as_of": draw(st.dates(date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)))}
                if draw(st.booleans())
                else {}
            ),
            "source": draw(st.sampled_from(sources)),
        }
        for attribute in attributes
    ]
    for fact in record["facts"]:
        if "as_of" in fact:
            fact["as_of"] = fact["as_of"].isoformat()
    return record


def valid_release(record: dict[str, Any]) -> Release:
    release, problems = validate(RawRecord("generated", 1, record))
    assert problems == [], problems  # the generator makes valid records only
    assert release is not None
    return release


@EXAMPLES
@given(record=release_records())
def test_a_valid_record_survives_yaml_write_and_read(folder: Path, record: dict[str, Any]) -> None:
    release = valid_release(record)
    path = folder / "round.yaml"
    path.write_text(to_yaml(release), encoding="utf-8")
    (raw,), problems = read_records(path, path.name)
    assert problems == []
    again, problems = validate(raw)
    assert problems == [] and again == release
    assert to_yaml(again) == path.read_text(encoding="utf-8")  # and the layout is stable


@EXAMPLES
@given(record=release_records())
def test_a_valid_record_survives_json_write_and_read(folder: Path, record: dict[str, Any]) -> None:
    release = valid_release(record)
    path = folder / "round.json"
    path.write_text(json.dumps([release.to_dict()]), encoding="utf-8")
    (raw,), problems = read_records(path, path.name)
    again, problems = validate(raw)
    assert problems == [] and again == release


# --- label files ---------------------------------------------------------------------------------

LABEL_TOKENS = [
    "onet_code,task_id,label",
    "O*NET-SOC Code,Task ID,label,comment",
    "\n",
    "\r\n",
    ",",
    '"',
    "11-1011.00",
    "11-1011",
    "8823",
    "8823.0",
    "-1",
    "1e9",
    "99999999999",
    "E0",
    "E1",
    "E2",
    "E3",
    "e1",
    " ",
    "\x00",
    "\ufeff",
]


@EXAMPLES
@given(text=token_soup(LABEL_TOKENS) | st.text(max_size=200))
def test_any_label_text_gives_rows_or_problems(text: str) -> None:
    rows, problems = labels.parse_rows(text, "labels.csv")
    assert rows or problems
    for problem in problems:
        assert problem.file == "labels.csv" and problem.where.startswith("line ")
        str(problem)


@EXAMPLES
@given(data=st.binary(max_size=300))
def test_any_label_bytes_give_rows_or_problems(folder: Path, data: bytes) -> None:
    path = folder / "labels.csv"
    path.write_bytes(data)
    rows, problems = labels.read_label_file(path)
    assert rows or problems


label_rows = st.lists(
    st.tuples(
        st.from_regex(r"\d{2}-\d{4}\.\d{2}", fullmatch=True),
        st.integers(0, 999_999_999),
        st.sampled_from(list(LABELS)),
    ),
    min_size=1,
    max_size=50,
    unique_by=lambda row: row[1],
)


@EXAMPLES
@given(rows=label_rows)
def test_valid_label_rows_survive_write_and_read(rows: list[tuple[str, int, str]]) -> None:
    written = [
        labels.LabelRow(i + 2, code, task, label) for i, (code, task, label) in enumerate(rows)
    ]
    text = labels._frame(written).to_csv(index=False)  # what ingest writes to data/labels/
    again, problems = labels.parse_rows(text, "labels.csv")
    assert problems == []
    assert sorted((r.onet_code, r.task_id, r.label) for r in again) == sorted(rows)


def test_a_missing_label_file_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    rows, problems = labels.read_label_file(tmp_path / "missing.csv")
    assert rows == [] and [str(p) for p in problems] == [
        "file: cannot be read (No such file or directory)"
    ]
