"""Releases: the curated timeline of model releases, papers and products, and their lineage.

- kb.releases.records  the Release, Relation and Fact types and the check of one record
- kb.releases.formats  reading YAML, JSON and CSV files into raw records; writing YAML
- kb.releases.ingest   checking a batch and writing data/releases/ and the store together;
                       the `kb build` step that loads data/releases/
- kb.releases.tables   the release tables: write, read back, organisations and modalities

The names below are the public API; import them from kb.releases.
"""

from __future__ import annotations

from kb.releases.formats import read_records, to_yaml
from kb.releases.ingest import (
    IngestReport,
    RecordOutcome,
    StoreState,
    check_batch,
    ingest,
    load_into,
    parse_files,
)
from kb.releases.records import (
    URL_PATTERN,
    Fact,
    RawRecord,
    Relation,
    Release,
    organisation_id,
    release_date,
    validate,
)
from kb.releases.tables import modalities, organisations, read_releases, write_to_store

__all__ = [
    "URL_PATTERN",
    "Fact",
    "IngestReport",
    "RawRecord",
    "RecordOutcome",
    "Relation",
    "Release",
    "StoreState",
    "check_batch",
    "ingest",
    "load_into",
    "modalities",
    "organisation_id",
    "organisations",
    "parse_files",
    "read_records",
    "read_releases",
    "release_date",
    "to_yaml",
    "validate",
    "write_to_store",
]
