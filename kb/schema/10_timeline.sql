-- The release timeline: releases, who made them, lineage between them, facts and sources.
-- Loaded from data/releases/*.yaml by kb.releases (build) and `kb ingest releases` (updates).
--
-- DuckDB turns an UPDATE of an indexed or LIST column into delete + insert, which a foreign key
-- pointing at the row forbids. So `releases` keeps only scalar, unindexed columns besides its key
-- (kind is a CHECK, not a REFERENCES), and everything multi-valued lives in child tables that an
-- update deletes and re-inserts. Other tables (e.g. exposure_sources) may reference releases(id).

-- Closed vocabularies (rows come from kb/vocabulary.py; described there and in docs/timeline.md).
CREATE TABLE release_kinds (
    kind        VARCHAR PRIMARY KEY,
    description VARCHAR NOT NULL
);

CREATE TABLE relation_types (
    type        VARCHAR PRIMARY KEY,
    description VARCHAR NOT NULL
);

CREATE TABLE modalities (
    modality    VARCHAR PRIMARY KEY,
    description VARCHAR NOT NULL
);

CREATE TABLE releases (
    id             VARCHAR PRIMARY KEY
                   CHECK (regexp_full_match(id, '[a-z0-9]+([.-][a-z0-9]+)*') AND length(id) <= 64),
    name           VARCHAR NOT NULL CHECK (length(trim(name)) > 0),
    -- First day of the period the date names; NULL only for external (undated) releases.
    date           DATE,
    date_precision VARCHAR CHECK (date_precision IN ('day', 'month', 'year')),
    kind           VARCHAR NOT NULL CHECK (kind IN (
                       'model', 'paper', 'system', 'api', 'product', 'feature',
                       'dataset', 'funding', 'external')),
    access         VARCHAR,
    parameters     VARCHAR,
    summary        VARCHAR,
    -- 1..11: position in the March-2023 seed chain (chronology only); NULL for the others.
    seed_position  INTEGER CHECK (seed_position BETWEEN 1 AND 100),
    CHECK ((date IS NULL) = (date_precision IS NULL)),
    CHECK (date IS NOT NULL OR kind = 'external')
);

CREATE TABLE organisations (
    id   VARCHAR PRIMARY KEY CHECK (regexp_full_match(id, '[a-z0-9]+(-[a-z0-9]+)*')),
    name VARCHAR NOT NULL UNIQUE
);

-- Who made a release; position 1 is the lead organisation (the release's lane on the timeline).
CREATE TABLE release_organisations (
    release_id      VARCHAR NOT NULL REFERENCES releases (id),
    organisation_id VARCHAR NOT NULL REFERENCES organisations (id),
    position        INTEGER NOT NULL CHECK (position >= 1),
    PRIMARY KEY (release_id, organisation_id),
    UNIQUE (release_id, position)
);

CREATE TABLE release_modalities (
    release_id VARCHAR NOT NULL REFERENCES releases (id),
    modality   VARCHAR NOT NULL REFERENCES modalities (modality),
    PRIMARY KEY (release_id, modality)
);

-- Every URL cited anywhere in the timeline.
CREATE TABLE sources (
    url VARCHAR PRIMARY KEY CHECK (regexp_full_match(url, 'https?://[^\s/]+\S*'))
);

CREATE TABLE release_sources (
    release_id VARCHAR NOT NULL REFERENCES releases (id),
    url        VARCHAR NOT NULL REFERENCES sources (url),
    position   INTEGER NOT NULL CHECK (position >= 1),
    PRIMARY KEY (release_id, url)
);

-- Lineage: source_id was built from / with target_id (never mere chronology).
CREATE TABLE release_relations (
    source_id  VARCHAR NOT NULL REFERENCES releases (id),
    target_id  VARCHAR NOT NULL REFERENCES releases (id),
    type       VARCHAR NOT NULL REFERENCES relation_types (type),
    note       VARCHAR,          -- the original wording, e.g. 'fine_tuned_from (LLaMA 7B)'
    caveat     VARCHAR,          -- doubts about the relation itself
    source_url VARCHAR NOT NULL REFERENCES sources (url),
    PRIMARY KEY (source_id, target_id, type),
    CHECK (source_id <> target_id)
);

-- Facts about a release or one of its variants (subject), with the date they held and any doubt.
CREATE TABLE facts (
    release_id VARCHAR NOT NULL REFERENCES releases (id),
    subject    VARCHAR NOT NULL CHECK (length(trim(subject)) > 0),
    attribute  VARCHAR NOT NULL CHECK (length(trim(attribute)) > 0),
    value      VARCHAR NOT NULL,
    unit       VARCHAR,
    as_of      DATE,
    caveat     VARCHAR,
    source_url VARCHAR NOT NULL REFERENCES sources (url),
    position   INTEGER NOT NULL CHECK (position >= 1),  -- order within the release's record
    PRIMARY KEY (release_id, subject, attribute)
);

-- Dated releases in the order they happened (same day: seed order, then id), with their makers.
CREATE VIEW timeline AS
SELECT
    row_number() OVER (ORDER BY r.date, r.seed_position NULLS LAST, r.id) AS position,
    r.id,
    r.name,
    r.date,
    r.date_precision,
    r.kind,
    (SELECT string_agg(o.name, '; ' ORDER BY ro.position)
       FROM release_organisations ro JOIN organisations o ON o.id = ro.organisation_id
      WHERE ro.release_id = r.id) AS organisations,
    (SELECT o.name
       FROM release_organisations ro JOIN organisations o ON o.id = ro.organisation_id
      WHERE ro.release_id = r.id AND ro.position = 1) AS lead_organisation,
    (SELECT string_agg(m.modality, '; ' ORDER BY m.modality)
       FROM release_modalities m WHERE m.release_id = r.id) AS modalities,
    r.access,
    r.parameters,
    r.seed_position,
    r.summary
FROM releases r
WHERE r.date IS NOT NULL;

-- Chronology edges: each dated release to the next one in timeline order.
CREATE VIEW chronology_edges AS
SELECT from_id, to_id, from_date, to_date, from_date = to_date AS same_day
FROM (
    SELECT id AS from_id, date AS from_date,
           lead(id) OVER (ORDER BY position) AS to_id,
           lead(date) OVER (ORDER BY position) AS to_date
    FROM timeline
)
WHERE to_id IS NOT NULL;

-- How many releases fell on each day (day-precision dates only) and which.
CREATE VIEW releases_per_day AS
SELECT date, count(*) AS releases, string_agg(id, ', ' ORDER BY position) AS ids
FROM timeline
WHERE date_precision = 'day'
GROUP BY date;

-- Releases each organisation took part in (any position), first and last date.
CREATE VIEW releases_per_organisation AS
SELECT o.name AS organisation,
       count(*) AS releases,
       min(r.date) AS first_date,
       max(r.date) AS last_date,
       string_agg(r.id, ', ' ORDER BY r.date, r.id) AS ids
FROM organisations o
JOIN release_organisations ro ON ro.organisation_id = o.id
JOIN releases r ON r.id = ro.release_id
WHERE r.date IS NOT NULL
GROUP BY o.name;

-- Transitive lineage: one row per (release, ancestor) with the shortest depth and the chain of
-- relation types along one shortest path. Ingest refuses cycles; depth <= 64 is a safety net.
CREATE VIEW lineage_closure AS
WITH RECURSIVE walk (release_id, ancestor_id, depth, path) AS (
    SELECT source_id, target_id, 1, [type]
    FROM release_relations
    UNION ALL
    SELECT w.release_id, rr.target_id, w.depth + 1, list_append(w.path, rr.type)
    FROM walk w
    JOIN release_relations rr ON rr.source_id = w.ancestor_id
    WHERE w.depth < 64
)
SELECT release_id, ancestor_id, depth, path AS relation_path
FROM (
    SELECT *, row_number() OVER (
        PARTITION BY release_id, ancestor_id ORDER BY depth, array_to_string(path, '>')) AS rn
    FROM walk
)
WHERE rn = 1;
