-- Living sources (Epoch AI, models.dev): snapshots taken in, what each source says about each
-- release, dated events and versions, the crosswalk, disagreements between sources, waves.
-- Loaded after the curated releases by kb.releases.living.load_into. Releases made from a
-- source get ids that no curated release has (release_origins says which); curated releases
-- keep their rows and gain the sources' values beside them.

-- One file (or folder) of a living source as it was on one day (data/snapshots.yml).
CREATE TABLE snapshots (
    sha256        VARCHAR PRIMARY KEY CHECK (regexp_full_match(sha256, '[0-9a-f]{64}')),
    source        VARCHAR NOT NULL CHECK (source IN ('epoch', 'models.dev')),
    source_table  VARCHAR NOT NULL CHECK (length(trim(source_table)) > 0),
    file          VARCHAR NOT NULL,
    rows          INTEGER NOT NULL CHECK (rows >= 0),
    snapshot_date DATE NOT NULL,
    licence       VARCHAR NOT NULL,
    upstream_url  VARCHAR NOT NULL CHECK (regexp_full_match(upstream_url, 'https?://\S+')),
    is_latest     BOOLEAN NOT NULL,  -- the snapshot the store's current values come from
    loaded        BOOLEAN NOT NULL,  -- false: recorded, but its bytes were not on this machine
    UNIQUE (source, source_table, snapshot_date)
);

-- Releases made from a source (absent: a curated release). A placeholder is a model named
-- only as another's base (kind 'external', undated).
CREATE TABLE release_origins (
    release_id  VARCHAR PRIMARY KEY REFERENCES releases (id),
    source      VARCHAR NOT NULL CHECK (source IN ('epoch', 'models.dev')),
    placeholder BOOLEAN NOT NULL
);

-- The crosswalk as applied (data/crosswalk.yml): a source's name for a curated release.
CREATE TABLE crosswalk (
    source     VARCHAR NOT NULL CHECK (source IN ('epoch', 'models.dev')),
    source_key VARCHAR NOT NULL,
    release_id VARCHAR NOT NULL REFERENCES releases (id),
    role       VARCHAR NOT NULL CHECK (role IN ('release', 'version')),
    PRIMARY KEY (source, source_key)
);

-- Every name a source uses for a model, once: the release it is (or is a version of), whether
-- the latest snapshots still hold it (withdrawn: kept, never deleted), and when it was seen.
CREATE TABLE source_records (
    source       VARCHAR NOT NULL CHECK (source IN ('epoch', 'models.dev')),
    source_key   VARCHAR NOT NULL,
    release_id   VARCHAR NOT NULL REFERENCES releases (id),
    role         VARCHAR NOT NULL CHECK (role IN ('release', 'version', 'placeholder')),
    status       VARCHAR NOT NULL CHECK (status IN ('current', 'withdrawn')),
    tables       VARCHAR,            -- '; '-joined source tables that hold it
    first_seen   DATE,               -- earliest snapshot holding it (NULL for placeholders)
    last_seen    DATE,
    PRIMARY KEY (source, source_key),
    CHECK (first_seen IS NULL OR first_seen <= last_seen)
);

-- What a source says about a release, one attribute per row, with unit, doubt and citation.
-- Values are the source's text (numbers as '9.702e+24'); compare and cast in queries.
CREATE TABLE source_values (
    release_id      VARCHAR NOT NULL REFERENCES releases (id),
    source          VARCHAR NOT NULL CHECK (source IN ('epoch', 'models.dev')),
    source_key      VARCHAR NOT NULL,
    attribute       VARCHAR NOT NULL CHECK (length(trim(attribute)) > 0),
    value           VARCHAR NOT NULL,
    unit            VARCHAR,
    caveat          VARCHAR,          -- Epoch's Confidence and notes
    source_url      VARCHAR,          -- Epoch's Link; models.dev's page
    source_table    VARCHAR,
    snapshot_sha256 VARCHAR REFERENCES snapshots (sha256),
    PRIMARY KEY (release_id, source, source_key, attribute)
);

-- Dated events a source gives (the curated release date is read from releases in the view).
CREATE TABLE release_dates (
    release_id     VARCHAR NOT NULL REFERENCES releases (id),
    event          VARCHAR NOT NULL CHECK (event IN ('announced', 'paper', 'api_available',
                       'weights_released', 'product_available', 'dated_version')),
    date           DATE NOT NULL,
    date_precision VARCHAR NOT NULL CHECK (date_precision IN ('day', 'month', 'year')),
    source         VARCHAR NOT NULL CHECK (source IN ('epoch', 'models.dev')),
    source_key     VARCHAR NOT NULL,
    source_url     VARCHAR,
    PRIMARY KEY (release_id, event, source, source_key)
);

-- Dated versions of a release (Epoch's benchmarked table: gpt-4-0314, gpt-4-0613, ...).
CREATE TABLE release_versions (
    source             VARCHAR NOT NULL CHECK (source IN ('epoch', 'models.dev')),
    version_id         VARCHAR NOT NULL CHECK (length(trim(version_id)) > 0),
    release_id         VARCHAR NOT NULL REFERENCES releases (id),
    source_key         VARCHAR NOT NULL,  -- the source's name of the model it is a version of
    name               VARCHAR NOT NULL,
    date               DATE,
    access             VARCHAR CHECK (access IN ('open_weights', 'api', 'hosted', 'unreleased')),
    capabilities_index DOUBLE,            -- Epoch Capabilities Index, 90% interval beside it
    capabilities_low   DOUBLE,
    capabilities_high  DOUBLE,
    status             VARCHAR NOT NULL CHECK (status IN ('current', 'withdrawn')),
    PRIMARY KEY (source, version_id)
);

-- Every dated event of every release with its source: the curated date (as announced) and
-- the curated record's dated facts about the release itself, the sources' events, and the
-- dated versions (detail: the fact's attribute or the version's id).
CREATE VIEW release_events AS
SELECT r.id AS release_id, 'announced' AS event, r.date, r.date_precision,
       'curated' AS source, r.id AS source_key, NULL AS detail
FROM releases r
WHERE r.date IS NOT NULL AND r.id NOT IN (SELECT release_id FROM release_origins)
UNION ALL
SELECT f.release_id,
       CASE f.attribute WHEN 'announcement_date' THEN 'announced'
                        WHEN 'paper_submitted' THEN 'paper'
                        WHEN 'publication_date' THEN 'paper'
                        WHEN 'general_availability' THEN 'product_available' END,
       try_cast(f.value AS DATE), 'day', 'curated', f.release_id, f.attribute
FROM facts f JOIN releases r ON r.id = f.release_id
WHERE f.attribute IN ('announcement_date', 'paper_submitted', 'publication_date',
                      'general_availability')
  AND lower(f.subject) IN (lower(r.name), lower(r.id))
  AND try_cast(f.value AS DATE) IS NOT NULL
UNION ALL
SELECT release_id, event, date, date_precision, source, source_key, NULL
FROM release_dates
UNION ALL
SELECT release_id, 'dated_version', date, 'day', source, source_key, version_id
FROM release_versions
WHERE date IS NOT NULL;

-- The first public date of each release, which event it is and who says so (same day:
-- announced first, the curated record first).
CREATE VIEW release_first_dates AS
SELECT release_id,
       min(date) AS date,
       arg_min(event, (date, rank, source_rank)) AS event,
       arg_min(source, (date, rank, source_rank)) AS source,
       arg_min(date_precision, (date, rank, source_rank)) AS date_precision
FROM (
    SELECT *, list_position(['announced', 'paper', 'weights_released', 'api_available',
                             'product_available', 'dated_version'], event) AS rank,
           list_position(['curated', 'epoch', 'models.dev'], source) AS source_rank
    FROM release_events
)
GROUP BY release_id;

-- Each source's comparable values per release: the curated record's (date, lead organisation,
-- facts about the release itself) beside the outside sources' (only names that are the release,
-- not its versions).
CREATE VIEW release_source_values AS
SELECT r.id AS release_id, 'curated' AS source, r.id AS source_key, 'release_date' AS attribute,
       left(CAST(r.date AS VARCHAR),
            CASE r.date_precision WHEN 'day' THEN 10 WHEN 'month' THEN 7 ELSE 4 END) AS value
FROM releases r
WHERE r.date IS NOT NULL AND r.id NOT IN (SELECT release_id FROM release_origins)
UNION ALL
SELECT ro.release_id, 'curated', ro.release_id, 'organisation', o.name
FROM release_organisations ro JOIN organisations o ON o.id = ro.organisation_id
WHERE ro.position = 1 AND ro.release_id NOT IN (SELECT release_id FROM release_origins)
UNION ALL
SELECT f.release_id, 'curated', f.release_id,
       CASE f.attribute WHEN 'training_data_cutoff' THEN 'knowledge_cutoff' ELSE f.attribute END,
       f.value
FROM facts f JOIN releases r ON r.id = f.release_id
WHERE lower(f.subject) IN (lower(r.name), lower(r.id))
  AND r.id NOT IN (SELECT release_id FROM release_origins)
UNION ALL
SELECT v.release_id, v.source, v.source_key, v.attribute, v.value
FROM source_values v
JOIN source_records s ON s.source = v.source AND s.source_key = v.source_key
WHERE s.role = 'release';

-- Where sources disagree on a release's attribute: one row per (release, attribute, source,
-- name in the source, value), for attributes given by two or more sources with two or more
-- distinct values. Kept per source, never averaged.
CREATE VIEW source_disagreements AS
WITH compared AS (
    SELECT * FROM release_source_values
    WHERE attribute IN ('release_date', 'organisation', 'access', 'open_weights',
                        'context_window', 'output_limit', 'knowledge_cutoff', 'parameters',
                        'training_compute')
),
disputed AS (
    SELECT release_id, attribute FROM compared
    GROUP BY release_id, attribute
    HAVING count(DISTINCT value) > 1 AND count(DISTINCT source) > 1
)
SELECT c.release_id, c.attribute, c.source, c.source_key, c.value
FROM compared c JOIN disputed d USING (release_id, attribute)
ORDER BY c.release_id, c.attribute,
         list_position(['curated', 'epoch', 'models.dev'], c.source), c.source_key;

-- Releases per source: curated records, and the releases each outside source names.
CREATE VIEW releases_per_source AS
SELECT 'curated' AS source, count(*) AS releases
FROM releases WHERE id NOT IN (SELECT release_id FROM release_origins)
UNION ALL
SELECT source, count(DISTINCT release_id) FROM source_records
WHERE role <> 'placeholder' GROUP BY source;

-- Waves: dated releases (day precision) per ISO week, with counts and who made them.
CREATE VIEW release_waves AS
SELECT date_trunc('week', r.date) AS week_start,
       isoyear(r.date) AS iso_year,
       week(r.date) AS iso_week,
       count(*) AS releases,
       count(DISTINCT ro.organisation_id) AS organisations,
       string_agg(DISTINCT o.name, '; ' ORDER BY o.name) AS organisation_names,
       string_agg(DISTINCT r.id, ', ' ORDER BY r.id) AS ids
FROM releases r
LEFT JOIN release_organisations ro ON ro.release_id = r.id AND ro.position = 1
LEFT JOIN organisations o ON o.id = ro.organisation_id
WHERE r.date IS NOT NULL AND r.date_precision = 'day'
GROUP BY ALL;

-- One row per dated release, each model once (crosswalked names merged into the curated
-- record): its first public date and which event that is, makers, kind, accessibility, the
-- sources that name it, and the comparable numbers the sources give (largest when several
-- names of one release give one, e.g. LLaMA's four sizes). Curated access is free text, so the
-- access level comes from the sources when the curated one is not a term of ACCESS_LEVELS.
CREATE VIEW release_overview AS
WITH named AS (   -- values of the names that are the release itself, not a dated version
    SELECT v.release_id, v.source, v.attribute, v.value
    FROM source_values v
    JOIN source_records s ON s.source = v.source AND s.source_key = v.source_key
    WHERE s.role = 'release'
      AND v.attribute IN ('access', 'open_weights', 'frontier', 'training_compute',
                          'parameters', 'country')
),
per_release AS (
    SELECT release_id,
           arg_min(value, list_position(['epoch', 'models.dev'], source))
               FILTER (WHERE attribute = 'access') AS access,
           bool_or(value = 'true') FILTER (WHERE attribute = 'open_weights') AS open_weights,
           bool_or(value = 'true') FILTER (WHERE attribute = 'frontier') AS frontier,
           max(try_cast(value AS DOUBLE)) FILTER (WHERE attribute = 'training_compute')
               AS training_compute_flop,
           max(try_cast(value AS DOUBLE)) FILTER (WHERE attribute = 'parameters') AS parameters,
           min(value) FILTER (WHERE attribute = 'country') AS country
    FROM named
    GROUP BY release_id
),
makers AS (
    SELECT ro.release_id,
           string_agg(o.name, ' · ' ORDER BY ro.position) AS organisations,
           min(o.name) FILTER (WHERE ro.position = 1) AS lead_organisation,
           list(lower(o.name)) || list(o.id) AS organisation_keys
    FROM release_organisations ro JOIN organisations o ON o.id = ro.organisation_id
    GROUP BY ro.release_id
),
named_by AS (   -- alphabetical order is also the authority order: curated, epoch, models.dev
    SELECT release_id, list_sort(list(DISTINCT source)) AS source_list
    FROM (
        SELECT id AS release_id, 'curated' AS source FROM releases
        WHERE id NOT IN (SELECT release_id FROM release_origins)
        UNION ALL
        SELECT release_id, source FROM source_records WHERE role <> 'placeholder'
    )
    GROUP BY release_id
)
SELECT r.id, r.name,
       coalesce(f.date, r.date) AS date,
       coalesce(f.date_precision, r.date_precision) AS date_precision,
       coalesce(f.event, 'announced') AS date_event,
       coalesce(f.source, 'curated') AS date_source,
       m.organisations, m.lead_organisation, r.kind,
       CASE WHEN r.access IN ('open_weights', 'api', 'hosted', 'unreleased') THEN r.access
            ELSE p.access END AS access,
       array_to_string(n.source_list, ', ') AS sources,
       coalesce(p.frontier, false) AS frontier,
       coalesce(p.open_weights, r.access = 'open_weights' OR p.access = 'open_weights', false)
           AS open_weights,
       p.training_compute_flop,
       coalesce(p.parameters, try_cast(r.parameters AS DOUBLE)) AS parameters,
       p.country,
       n.source_list, coalesce(m.organisation_keys, []) AS organisation_keys
FROM releases r
LEFT JOIN release_first_dates f ON f.release_id = r.id
LEFT JOIN per_release p ON p.release_id = r.id
LEFT JOIN makers m ON m.release_id = r.id
JOIN named_by n ON n.release_id = r.id
WHERE coalesce(f.date, r.date) IS NOT NULL;
