"""kb.releases (records, formats, ingest, tables): the timeline data against the verified
reference, record validation, and ingest's all-or-nothing writes to the store and data/releases/."""

from __future__ import annotations

import csv
import itertools
import os
import re
from pathlib import Path

import duckdb
import pytest
import yaml
from conftest import REPO, curated_release_files, snapshot, steps_through, store_dump

from kb import build as kbbuild
from kb import releases as kbreleases
from kb import store
from kb.errors import MAX_COLLECTED_PROBLEMS, MAX_LISTED_PROBLEMS, ValidationError
from kb.releases import RawRecord, read_records, release_date, to_yaml, validate
from kb.vocabulary import KINDS, RELATION_TYPES

REFERENCE = REPO.parent / "shared" / "reference"
SEED_CHAIN = [
    "toolformer",
    "llama",
    "visual-chatgpt",
    "gigagan",
    "alpaca",
    "gpt-4",
    "palm-api",
    "claude",
    "adept-series-b",
    "midjourney-v5",
    "microsoft-365-copilot",
]
# The reference's ids -> ours (hyphenated; a few renamed).
RENAMED = {
    "gpt4": "gpt-4",
    "m365_copilot": "microsoft-365-copilot",
    "dynamics365_copilot": "dynamics-365-copilot",
}


def our_id(reference_id: str) -> str:
    if reference_id.startswith("ext:"):
        return re.sub(r"[^a-z0-9]+", "-", reference_id[4:].lower()).strip("-")
    return RENAMED.get(reference_id, reference_id.replace("_", "-"))


def reference_rows(name: str) -> list[dict[str, str]]:
    path = REFERENCE / name
    if not path.exists():
        pytest.skip(f"no reference file {path}")
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def query(db: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    with store.connect(db) as con:
        return con.execute(sql, params or []).fetchall()


# --- the built-in timeline against the reference ------------------------------------------------


def test_seed_chain_has_the_eleven_events_in_order(built):
    rows = query(
        built.db, "SELECT id FROM releases WHERE seed_position IS NOT NULL ORDER BY seed_position"
    )
    assert [r[0] for r in rows] == SEED_CHAIN


def test_every_reference_release_is_stored_with_its_date(built):
    stored = dict(query(built.db, "SELECT id, strftime(date, '%Y-%m-%d') FROM releases"))
    seeds = {
        r[0] for r in query(built.db, "SELECT id FROM releases WHERE seed_position IS NOT NULL")
    }
    for row in reference_rows("releases_facts.csv"):
        rid = our_id(row["id"])
        assert stored.get(rid) == row["date"], rid
        assert (rid in seeds) == (row["in_seed"] == "true"), rid


def test_every_reference_relation_is_stored_with_its_wording_and_source(built):
    stored = {
        (s, t): (note, url)
        for s, t, note, url in query(
            built.db, "SELECT source_id, target_id, note, source_url FROM release_relations"
        )
    }
    kinds = dict(query(built.db, "SELECT id, kind FROM releases"))
    sources = query(built.db, "SELECT release_id, url FROM release_sources")
    for row in reference_rows("release_relations.csv"):
        key = (our_id(row["source_id"]), our_id(row["target_id"]))
        assert stored[key] == (row["relation"], row["source_url"]), key
        if row["target_id"].startswith("ext:"):
            # An external of the reference is stored as one, unless data/releases/ has since
            # given it a dated record of its own (ChatGPT, 2022-11-30).
            curated = yaml.safe_load((REPO / "data" / "releases" / f"{key[1]}.yaml").read_text())
            assert kinds[key[1]] == curated["kind"]
            assert (curated["kind"] == "external") == (curated.get("date") is None), key[1]
            assert (key[1], row["source_url"]) in sources


def test_gpt4_facts_match_the_reference_and_keep_flags_as_caveats(built):
    stored = {
        (release, subject, attribute): (value, unit, as_of, caveat, url)
        for release, subject, attribute, value, unit, as_of, caveat, url in query(
            built.db,
            "SELECT release_id, subject, attribute, value, unit, "
            "strftime(as_of, '%Y-%m-%d'), caveat, source_url FROM facts",
        )
    }
    rows = reference_rows("gpt4_facts.csv")
    assert len(rows) == 35
    for row in rows:
        release = "bing-chat" if row["subject"].startswith("Bing") else "gpt-4"
        value, unit, as_of, caveat, url = stored[(release, row["subject"], row["attribute"])]
        assert (value, unit or "", as_of) == (row["value"], row["unit"], row["as_of"])
        if row["source_url"]:
            assert url == row["source_url"]
        if "FLAG" in row["notes"] or "UNVERIFIED" in row["notes"]:
            assert caveat and caveat.startswith("FLAG"), row["attribute"]
    cap = stored[("gpt-4", "ChatGPT Plus", "gpt4_usage_cap")]
    assert "UNVERIFIED" in cap[3]


def test_gpt4_variants_context_windows_and_prices(built):
    rows = {
        (s, a): v
        for s, a, v in query(
            built.db, "SELECT subject, attribute, value FROM facts WHERE release_id = 'gpt-4'"
        )
    }
    assert rows[("gpt-4", "context_window")] == "8192"
    assert rows[("gpt-4-32k", "context_window")] == "32768"
    assert rows[("gpt-4 / gpt-4-0314 (8K)", "price_prompt")] == "0.03"
    assert rows[("gpt-4-32k / gpt-4-32k-0314", "price_completion")] == "0.12"
    assert rows[("GPT-4 API", "default_rate_limit_tokens")] == "40000"


@pytest.mark.parametrize(
    "release, attribute, words",
    [
        ("gigagan", "organisations", "Adobe alone"),
        ("palm-api", "organisation", "'Google Cloud' is ambiguous"),
        ("microsoft-365-copilot", "model_basis", "medium confidence"),
        ("microsoft-365-copilot", "name", "not GitHub Copilot"),
        ("bard", "announcement_date", "two dates"),
    ],
)
def test_release_level_flags_are_kept_as_caveats(built, release, attribute, words):
    caveats = [
        r[0]
        for r in query(
            built.db,
            "SELECT caveat FROM facts WHERE release_id = ? AND attribute = ?",
            [release, attribute],
        )
    ]
    assert len(caveats) == 1 and caveats[0].startswith("FLAG") and words in caveats[0]


def test_uncertain_gpt4_basis_of_microsoft_365_copilot_is_a_relation_caveat(built):
    (caveat,) = query(
        built.db,
        "SELECT caveat FROM release_relations WHERE source_id = "
        "'microsoft-365-copilot' AND target_id = 'gpt-4'",
    )[0]
    assert "medium confidence" in caveat


def test_everything_has_a_source_url(built):
    # Every curated release (no release_origins row) cites a source; a release made from Epoch
    # AI or models.dev may have none (an Epoch row without a Link).
    assert (
        query(
            built.db,
            "SELECT id FROM releases WHERE id NOT IN (SELECT release_id FROM release_sources) "
            "AND id NOT IN (SELECT release_id FROM release_origins)",
        )
        == []
    )
    curated = query(
        built.db,
        "SELECT count(*) FROM releases WHERE id NOT IN (SELECT release_id FROM release_origins)",
    )
    assert curated == [(curated_release_files(),)]
    urls = [
        r[0]
        for r in query(
            built.db,
            "SELECT url FROM release_sources UNION ALL "
            "SELECT source_url FROM facts UNION ALL "
            "SELECT source_url FROM release_relations",
        )
    ]
    assert urls and all(re.fullmatch(r"https?://\S+", u) for u in urls)


def test_seed_chain_is_chronology_not_lineage(built):
    pairs = {
        frozenset(p) for p in query(built.db, "SELECT source_id, target_id FROM release_relations")
    }
    assert frozenset(("toolformer", "llama")) not in pairs
    for a, b in itertools.pairwise(SEED_CHAIN):
        # The only lineage inside the chain: Alpaca was fine-tuned from LLaMA, 3 steps apart.
        assert frozenset((a, b)) not in pairs


def test_kinds_and_relation_types_come_from_the_closed_vocabularies(built):
    kinds = {r[0] for r in query(built.db, "SELECT DISTINCT kind FROM releases")}
    types = {r[0] for r in query(built.db, "SELECT DISTINCT type FROM release_relations")}
    assert kinds <= set(KINDS) and types <= set(RELATION_TYPES)
    assert dict(query(built.db, "SELECT kind, description FROM release_kinds")) == KINDS


def test_schema_check_lists_the_same_kinds_as_the_vocabulary():
    ddl = (REPO / "kb" / "schema" / "10_timeline.sql").read_text()
    listed = re.search(r"kind\s+VARCHAR NOT NULL CHECK \(kind IN \((.*?)\)\)", ddl, re.S).group(1)
    assert set(re.findall(r"'([a-z]+)'", listed)) == set(KINDS)


def test_store_refuses_an_unknown_kind(workspace):
    with (
        store.connect(workspace.db, read_only=False) as con,
        pytest.raises(duckdb.ConstraintException),
    ):
        con.execute(
            "INSERT INTO releases (id, name, date, date_precision, kind) "
            "VALUES ('x', 'X', DATE '2023-01-01', 'day', 'rumour')"
        )


def test_data_files_are_in_canonical_form(built):
    files = sorted((REPO / "data" / "releases").glob("*.yaml"))
    assert files and len(files) == curated_release_files()
    for path in files:
        (raw,), problems = read_records(path)
        release, problems = validate(raw)
        assert not problems, problems
        assert path.stem == release.id
        assert to_yaml(release) == path.read_text(), f"{path.name} is not in canonical form"


# --- record validation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2023-03-14", "2023-03-14"),
        ("2023-03", "2023-03"),
        ("2023", "2023"),
        (2023, "2023"),
    ],
)
def test_parse_date_accepts_day_month_and_year(value, expected):
    assert release_date(value) == expected


@pytest.mark.parametrize(
    "value, message",
    [
        ("2023-13-01", "'2023-13-01' is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"),
        ("2023-02-30", "'2023-02-30' is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"),
        ("14/03/2023", "'14/03/2023' is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"),
        ("0023-01-01", "'0023-01-01' is outside the years 1900-2100"),
        (True, "must be a date (YYYY-MM-DD, YYYY-MM or YYYY), got a boolean"),
    ],
)
def test_parse_date_refuses_non_dates(value, message):
    with pytest.raises(ValueError) as info:
        release_date(value)
    assert str(info.value) == message


def record(**fields):
    base = {
        "id": "koala",
        "name": "Koala",
        "organisations": ["UC Berkeley"],
        "date": "2023-04-03",
        "kind": "model",
        "sources": ["https://bair.berkeley.edu/blog/2023/04/03/koala/"],
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def problems_of(data) -> list[str]:
    return [str(p) for p in validate(RawRecord("in.yaml", 2, data))[1]]


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({"id": None}, "record 2: field 'id': is required"),
        (
            {"id": "Koala 13B"},
            "record 2 (id 'Koala 13B'): field 'id': 'Koala 13B' is not a valid id",
        ),
        (
            {"date": "2023-13-01"},
            "record 2 (id 'koala'): field 'date': '2023-13-01' is not a date "
            "(YYYY-MM-DD, YYYY-MM or YYYY)",
        ),
        ({"date": None}, "record 2 (id 'koala'): field 'date': is required (only kind 'external'"),
        ({"kind": "rumour"}, "record 2 (id 'koala'): field 'kind': 'rumour' is not a known kind"),
        (
            {"name": 13},
            "record 2 (id 'koala'): field 'name': must be text, got a number (quote it)",
        ),
        (
            {"sources": ["javascript:alert(1)"]},
            "record 2 (id 'koala'): field 'sources[1]': 'javascript:alert(1)' is not a URL",
        ),
        (
            {"sources": None},
            "record 2 (id 'koala'): field 'sources': is required (at least one URL)",
        ),
        ({"organisations": None}, "record 2 (id 'koala'): field 'organisations': is required"),
        (
            {"modalities": ["smell"]},
            "record 2 (id 'koala'): field 'modalities[1]': 'smell' is not a known modality",
        ),
        (
            {"relations": [{"type": "inspired_by", "target": "llama"}]},
            "record 2 (id 'koala'): field 'relations[1].type': 'inspired_by' is not a known "
            "relation type",
        ),
        (
            {"relations": ["fine_tuned_from:koala"]},
            "record 2 (id 'koala'): field 'relations[1].target': a release cannot be related "
            "to itself",
        ),
        (
            {"facts": [{"attribute": "size"}]},
            "record 2 (id 'koala'): field 'facts[1].value': is required",
        ),
        (
            {"facts": [{"attribute": "size", "value": "13B", "as_of": "2023-04"}]},
            "record 2 (id 'koala'): field 'facts[1].as_of': '2023-04' is not a date (YYYY-MM-DD)",
        ),
        (
            {"summary": "x" * 1_048_576},
            "record 2 (id 'koala'): field 'summary': is 1,048,576 characters long; "
            "the limit is 4,000",
        ),
        (
            {"name": "Ko\x00ala"},
            "record 2 (id 'koala'): field 'name': contains the control character U+0000",
        ),
        ({"colour": "blue"}, "record 2 (id 'koala'): field 'colour': unknown field"),
    ],
)
def test_validate_names_record_and_field(fields, expected):
    found = problems_of(record(**fields))
    assert any(p.startswith(expected) for p in found), found


def test_validate_reports_every_problem_of_a_record():
    found = problems_of(record(date="2023-99", kind="rumour", sources=["ftp://x"]))
    assert [p.split(":")[1].strip() for p in found] == [
        "field 'kind'",
        "field 'date'",
        "field 'sources[1]'",
    ]


def test_external_release_needs_no_date_or_organisation():
    release, problems = validate(
        RawRecord("in.yaml", 1, record(kind="external", date=None, organisations=None))
    )
    assert problems == [] and release.date is None and release.date_precision is None


def test_yaml_aliases_are_refused(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text("a: &x [1, 2]\nb: *x\n")
    records, problems = read_records(path)
    assert records == [] and "aliases" in str(problems[0])


@pytest.mark.parametrize(
    "name, text, expected",
    [
        (
            "twice.yaml",
            "id: x\nname: X\nid: llama\n",
            "line 3: is not valid YAML: the key 'id' appears twice in one mapping",
        ),
        (
            "twice.json",
            '{"id": "x",\n "name": "X",\n "id": "llama"}',
            "line 3: field 'id': appears twice in one object",
        ),
        (
            # the same key in a nested object earlier does not count; the line is the repeat's
            "nested.json",
            '[{"id": "a", "relations": [{"id": 1}]},\n {"id": "b",\n  "name": "B", "id": "c"}]',
            "line 3: field 'id': appears twice in one object",
        ),
        (
            "tag-on-a-collection.yaml",
            "id: x\ndate: !!map [1]\n",
            "line 2: is not valid YAML: !!map needs a mapping, not a sequence",
        ),
    ],
)
def test_duplicate_keys_are_refused_with_their_line(tmp_path, name, text, expected):
    path = tmp_path / name
    path.write_text(text)
    records, problems = read_records(path, name)
    assert records == [] and [str(p) for p in problems] == [expected]


RECORD = "id: x\nname: X\nkind: model\norganisations: [A]\nsources: [https://example.org/x]\n"


@pytest.mark.parametrize(
    "extra, expected",
    [
        (
            "date: !!timestamp 2023-02-30",
            "field 'date': !!timestamp '2023-02-30' (line 6) is not a date "
            "(YYYY-MM-DD, optionally with a time): day is out of range for month",
        ),
        ("date: !!timestamp abc", "field 'date': !!timestamp 'abc' (line 6) is not a date"),
        ("date: !!timestamp 2023-03-14T10:00:00", "field 'date': '2023-03-14 10:00:00' has a time"),
        ("date: 2023\nseed_position: !!int abc", "field 'seed_position': !!int 'abc' (line 7) is"),
        ("date: 2023\nseed_position: !!int", "field 'seed_position': !!int '' (line 7) is not a"),
        ("date: 2023\nparameters: !!float xyz", "field 'parameters': !!float 'xyz' (line 7) is"),
        ("date: !!bool maybe", "field 'date': !!bool 'maybe' (line 6) is not true or false"),
        ("date: 2023\nsummary: !!binary aGk=", "field 'summary': must be text, got binary data"),
        ("date: 2023\nmodalities: !!set {text}", "field 'modalities': must be a list, got a set"),
        (
            "date: 2023\nmodalities: !!omap [{text: 1}]",
            "field 'modalities[1]': must be text, got a pair",
        ),
        (
            "date: !!python/object:os.system {}",
            "field 'date': !!python/object:os.system '<a mapping>' (line 6) has a tag kb does "
            "not accept",
        ),
        (
            "date: 2023\nrelations: [{type: fine_tuned_from, target: !!python/name:os.system ''}]",
            "field 'relations[1].target': !!python/name:os.system '' (line 7) has a tag",
        ),
        ("date: !custom 2023", "field 'date': !custom '2023' (line 6) has a tag kb does not"),
        (
            # a failed tag and an unrelated problem of the same record are both reported
            "date: !!timestamp 2023-02-30\naccess: [1]",
            "field 'access': must be text, got a list",
        ),
    ],
)
def test_explicit_tags_give_a_value_or_a_record_problem(tmp_path, extra, expected):
    path = tmp_path / "tags.yaml"
    path.write_text(RECORD + extra + "\n")
    (raw,), file_problems = read_records(path, "tags.yaml")
    assert file_problems == []
    release, problems = validate(raw)
    assert release is None
    assert any(str(p).startswith("record 1 (id 'x'): " + expected) for p in problems), problems


@pytest.mark.parametrize(
    "extra, field, value",
    [
        ("date: !!timestamp 2023-03-14", "date", "2023-03-14"),
        ("date: !!str 2023-03", "date", "2023-03"),
        ("date: 2023\nseed_position: !!int 7", "seed_position", 7),
        ("date: 2023\nparameters: !!int 175", "parameters", "175"),
        ("date: 2023\nparameters: !!str 7B", "parameters", "7B"),
        ("date: 2023\nsummary: !!null x", "summary", None),
    ],
)
def test_valid_tags_give_clean_values(tmp_path, extra, field, value):
    path = tmp_path / "tags.yaml"
    path.write_text(RECORD + extra + "\n")
    (raw,), _ = read_records(path, "tags.yaml")
    release, problems = validate(raw)
    assert problems == [] and getattr(release, field) == value


def test_only_regular_files_are_read(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)  # reading it would wait forever for a writer
    device = tmp_path / "zero.yaml"
    device.symlink_to("/dev/zero")  # reading it would never end
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    expected = {
        fifo: "file: is a FIFO (named pipe), not a regular file",
        device: "file: is a character device, not a regular file",
        folder: "file: is a directory, not a regular file",
    }
    for path, message in expected.items():
        records, problems = read_records(path, path.name)
        assert records == [] and [str(p) for p in problems] == [message]


def test_a_file_over_the_limit_is_refused_before_parsing(tmp_path, monkeypatch):
    monkeypatch.setattr(kbreleases.formats, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.json"
    path.write_text("[" + ",".join(["{}"] * 600) + "]")  # 1,801 bytes
    records, problems = read_records(path, path.name)
    assert records == []
    assert [str(p) for p in problems] == ["file: is 1,801 bytes, over the limit of 1,000 bytes"]


def test_checking_stops_after_the_problem_cap(tmp_path):
    # 3,000 invalid records: checking stops at MAX_COLLECTED_PROBLEMS and says what it skipped.
    path = tmp_path / "bad.json"
    path.write_text(json_records([{"id": f"Bad_{i}"} for i in range(3000)]))
    batch, problems, _ = kbreleases.parse_files([path, path])
    assert batch == [] and len(problems) >= MAX_COLLECTED_PROBLEMS
    assert problems.stopped is not None
    assert re.fullmatch(
        rf"records \d+ to 3,000 of {re.escape(str(path))} were not checked, nor 1 more files",
        problems.stopped,
    )
    message = str(ValidationError(problems, stopped=problems.stopped))
    assert f"{len(problems):,} or more problems, nothing was written" in message
    assert message.splitlines()[-1].startswith(
        f"  ... and {len(problems) - MAX_LISTED_PROBLEMS:,} more problems; checking stopped early:"
    )


def json_records(records) -> str:
    import json

    return json.dumps(records)


# --- ingest: all or nothing -----------------------------------------------------------------


def write_yaml(path: Path, records) -> Path:
    path.write_text(yaml.safe_dump(records, sort_keys=False))
    return path


def test_ingest_adds_writes_the_file_and_keeps_the_store_current(workspace, tmp_path):
    source = write_yaml(tmp_path / "new.yaml", [record(relations=["fine_tuned_from:llama"])])
    report = kbreleases.ingest([source], db=workspace.db, data_dir=workspace.data_dir)
    assert [(o.id, o.status) for o in report.outcomes] == [("koala", "added")]
    written = workspace.data_dir / "releases" / "koala.yaml"
    assert yaml.safe_load(written.read_text())["relations"][0]["target"] == "llama"
    assert store.status(workspace.db, workspace.data_dir) is None
    assert query(
        workspace.db, "SELECT ancestor_id FROM lineage_closure WHERE release_id = 'koala'"
    ) == [("llama",)]


def test_ingest_twice_changes_nothing(workspace, tmp_path):
    source = write_yaml(tmp_path / "new.yaml", [record()])
    kbreleases.ingest([source], db=workspace.db, data_dir=workspace.data_dir)
    files, rows = snapshot(workspace.data_dir), store_dump(workspace.db)
    again = kbreleases.ingest([source], db=workspace.db, data_dir=workspace.data_dir)
    assert [o.status for o in again.outcomes] == ["unchanged"]
    assert snapshot(workspace.data_dir) == files and store_dump(workspace.db) == rows


def test_dry_run_reports_but_writes_nothing(workspace, tmp_path):
    source = write_yaml(tmp_path / "new.yaml", [record()])
    files, rows = snapshot(workspace.data_dir), store_dump(workspace.db)
    report = kbreleases.ingest([source], db=workspace.db, data_dir=workspace.data_dir, dry_run=True)
    assert report.dry_run and [o.status for o in report.outcomes] == ["added"]
    assert snapshot(workspace.data_dir) == files and store_dump(workspace.db) == rows


def test_rebuild_keeps_ingested_releases(workspace, tmp_path):
    source = write_yaml(tmp_path / "new.yaml", [record(relations=["fine_tuned_from:llama"])])
    kbreleases.ingest([source], db=workspace.db, data_dir=workspace.data_dir)
    before = store_dump(workspace.db)
    # The steps that write these tables: curated releases, then the living sources' releases.
    steps = steps_through("release timeline", "living sources")
    kbbuild.build(workspace.db, data_dir=workspace.data_dir, raw_dir=workspace.raw_dir, steps=steps)
    after = store_dump(workspace.db)
    for table in ("releases", "release_relations", "facts", "release_sources"):
        assert after[table] == before[table], table


def test_update_works_while_another_table_references_the_release(workspace, tmp_path):
    with store.connect(workspace.db, read_only=False) as con:
        con.execute(
            "CREATE TABLE test_refs (id INTEGER PRIMARY KEY, "
            "release_id VARCHAR REFERENCES releases (id))"
        )
        con.execute("INSERT INTO test_refs VALUES (1, 'gpt-4'), (2, 'llama')")
    pointing_at_gpt4 = "SELECT * FROM release_relations WHERE target_id = 'gpt-4'"
    relations_before = sorted(query(workspace.db, pointing_at_gpt4), key=repr)
    rows_before = store_dump(workspace.db).get("exposure_sources")
    original = yaml.safe_load((workspace.data_dir / "releases" / "gpt-4.yaml").read_text())
    changed = dict(
        original, summary="A new summary.", modalities=["text"], facts=original["facts"][:3]
    )
    report = kbreleases.ingest(
        [write_yaml(tmp_path / "gpt4.yaml", [changed])],
        db=workspace.db,
        data_dir=workspace.data_dir,
    )
    assert [o.status for o in report.outcomes] == ["updated"]
    assert query(workspace.db, "SELECT summary FROM releases WHERE id = 'gpt-4'") == [
        ("A new summary.",)
    ]
    assert query(workspace.db, "SELECT count(*) FROM facts WHERE release_id = 'gpt-4'") == [(3,)]
    assert query(workspace.db, "SELECT count(*) FROM test_refs") == [(2,)]
    # exposure_sources (kb/schema/40_provenance.sql) references releases too.
    if query(
        workspace.db, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'exposure_sources'"
    )[0][0]:
        assert rows_before == store_dump(workspace.db)["exposure_sources"]
    # Relations of other releases that point at gpt-4 are untouched.
    assert {"bing-chat", "github-copilot-x", "microsoft-365-copilot", "vicuna"} <= {
        r[0] for r in relations_before
    }
    assert sorted(query(workspace.db, pointing_at_gpt4), key=repr) == relations_before


def test_failed_store_write_restores_the_files(workspace, tmp_path, monkeypatch):
    source = write_yaml(tmp_path / "new.yaml", [record()])
    gpt4 = yaml.safe_load((workspace.data_dir / "releases" / "gpt-4.yaml").read_text())
    update = write_yaml(tmp_path / "gpt4.yaml", [dict(gpt4, summary="Changed.")])
    files, rows = snapshot(workspace.data_dir), store_dump(workspace.db)

    def fail(con, data_dir, pending):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "mark_ingested", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        kbreleases.ingest([source, update], db=workspace.db, data_dir=workspace.data_dir)
    assert snapshot(workspace.data_dir) == files
    assert store_dump(workspace.db) == rows


def test_ingest_refuses_conflicting_duplicates_and_cycles(workspace, tmp_path):
    llama = yaml.safe_load((workspace.data_dir / "releases" / "llama.yaml").read_text())
    cyclic = dict(llama, relations=[{"type": "trained_on_data_from", "target": "alpaca"}])
    source = write_yaml(tmp_path / "bad.yaml", [record(), record(name="Koala 2"), cyclic])
    files, rows = snapshot(workspace.data_dir), store_dump(workspace.db)
    with pytest.raises(ValidationError) as info:
        kbreleases.ingest([source], db=workspace.db, data_dir=workspace.data_dir)
    text = str(info.value)
    assert (
        "record 2 (id 'koala'): field 'id': 'koala' is also record 1 of this file, "
        "with different content" in text
    )
    assert snapshot(workspace.data_dir) == files and store_dump(workspace.db) == rows
    # Without the duplicate, the cycle llama -> alpaca -> llama is reported.
    write_yaml(source, [cyclic])
    with pytest.raises(ValidationError) as info:
        kbreleases.ingest([source], db=workspace.db, data_dir=workspace.data_dir)
    assert "lineage would form a cycle" in str(info.value)
    assert "alpaca" in str(info.value) and "llama" in str(info.value)


def test_build_refuses_a_data_file_whose_name_does_not_match_its_id(workspace):
    bad = workspace.data_dir / "releases" / "koala.yaml"
    bad.write_text(to_yaml(validate(RawRecord("x", 1, record(id="koala-13b")))[0]))
    before = store_dump(workspace.db)
    with pytest.raises(ValidationError) as info:
        kbbuild.build(workspace.db, data_dir=workspace.data_dir, raw_dir=workspace.raw_dir)
    assert "releases/koala.yaml: 1 problem" in str(info.value)
    assert "'koala-13b' does not match the file name 'koala.yaml'" in str(info.value)
    assert store_dump(workspace.db) == before
