-- Occupation task-exposure data ("GPTs are GPTs", Eloundou et al. 2023) and BLS employment.

-- Every upstream file the build read, as pinned in data/sources.yml.
CREATE TABLE upstream_files (
    dataset  VARCHAR NOT NULL,
    file     VARCHAR NOT NULL,
    url      VARCHAR NOT NULL,
    sha256   VARCHAR NOT NULL CHECK (length(sha256) = 64),
    bytes    BIGINT  NOT NULL CHECK (bytes >= 0),
    licence  VARCHAR NOT NULL,
    citation VARCHAR NOT NULL,
    parser   VARCHAR NOT NULL,
    PRIMARY KEY (dataset, file)
);

-- SOC 2018 major groups (from the OEWS 'major' rows), e.g. 15-0000 Computer and Mathematical.
CREATE TABLE soc_major_groups (
    major_group VARCHAR PRIMARY KEY CHECK (regexp_full_match(major_group, '\d{2}-0000')),
    title       VARCHAR NOT NULL
);

-- O*NET-SOC 2019 occupations that have rated tasks (923).
CREATE TABLE occupations (
    onet_code   VARCHAR PRIMARY KEY CHECK (regexp_full_match(onet_code, '\d{2}-\d{4}\.\d{2}')),
    title       VARCHAR NOT NULL,
    soc_code    VARCHAR NOT NULL CHECK (soc_code = substr(onet_code, 1, 7)),
    major_group VARCHAR NOT NULL REFERENCES soc_major_groups (major_group),
    nem_code    VARCHAR,          -- National Employment Matrix code via the BLS crosswalk
    oews_code   VARCHAR,          -- the OEWS May 2021 detailed code holding this SOC code, if any
    job_zone    INTEGER CHECK (job_zone BETWEEN 1 AND 5),  -- O*NET Job Zone, matched by title
    education   VARCHAR           -- typical education for entry (BLS projections, by NEM code)
);

-- O*NET task statements (O*NET 27.2), one row per occupation and task.
CREATE TABLE tasks (
    onet_code VARCHAR NOT NULL REFERENCES occupations (onet_code),
    task_id   INTEGER NOT NULL,
    statement VARCHAR NOT NULL,
    task_type VARCHAR CHECK (task_type IN ('Core', 'Supplemental')),  -- NULL: not rated by O*NET
    PRIMARY KEY (onet_code, task_id)
);

-- The exposure measures: how much an E1 and an E2 label count (E0 counts 0). Filled at build time
-- from kb.vocabulary.MEASURE_WEIGHTS, their one definition: alpha = E1, beta = E1 + 0.5*E2,
-- zeta = E1 + E2 (the authors' files call zeta "gamma").
CREATE TABLE exposure_measures (
    measure    VARCHAR PRIMARY KEY CHECK (measure IN ('alpha', 'beta', 'zeta')),
    e1_weight  DOUBLE  NOT NULL CHECK (e1_weight BETWEEN 0 AND 1),
    e2_weight  DOUBLE  NOT NULL CHECK (e2_weight BETWEEN 0 AND 1),
    definition VARCHAR NOT NULL  -- the formula, e.g. 'E1 + 0.5*E2'
);

-- Who labelled tasks. Built in: human, gpt4, gpt4_alt; ingested label sets add rows.
CREATE TABLE raters (
    rater       VARCHAR PRIMARY KEY CHECK (regexp_full_match(rater, '[a-z][a-z0-9_]*')),
    description VARCHAR NOT NULL,
    source      VARCHAR NOT NULL  -- where the labels came from (file and column, or ingest)
);

-- Exposure labels in long form: one row per task and rater (a new rater is rows, not columns).
-- [B7, issue 14] Keys not declared, checked set-wise: (onet_code, task_id, rater) is unique,
-- (onet_code, task_id) is in tasks and rater in raters. Declared, DuckDB checked each of the
-- 5.8 M rows of a 100x build against two indexes (about 20 s and most of the peak memory). The
-- build's labels hold them by construction (the label set is checked for repeated tasks first);
-- kb/sql/check_task_labels.sql (kb.exposure.loading.check_task_labels) checks them set-wise.
CREATE TABLE task_labels (
    onet_code VARCHAR NOT NULL,
    task_id   INTEGER NOT NULL,
    rater     VARCHAR NOT NULL,
    label     VARCHAR NOT NULL CHECK (label IN ('E0', 'E1', 'E2'))
);

-- The closed sets of employment, filled at build time from kb.vocabulary (their one definition):
-- the published employment vintages (EMPLOYMENT_VINTAGES) and the employment recipes a share
-- can count workers by (EMPLOYMENT_RECIPES). The tables below name them by foreign key.
CREATE TABLE employment_vintages (
    vintage     VARCHAR PRIMARY KEY,
    description VARCHAR NOT NULL
);

CREATE TABLE employment_recipes (
    employment_recipe VARCHAR PRIMARY KEY,
    description       VARCHAR NOT NULL
);

-- Employment and wages by occupation code and vintage, as published (employment in persons).
--   oews-2021, oews-2025: OEWS May national files (SOC codes; level total/major/minor/broad/detailed)
--   projections-2022: BLS Employment Projections, Table 1.7, 2022 (NEM codes; total/summary/line item)
CREATE TABLE employment (
    vintage     VARCHAR NOT NULL REFERENCES employment_vintages (vintage),
    code        VARCHAR NOT NULL CHECK (regexp_full_match(code, '\d{2}-\d{4}')),
    title       VARCHAR NOT NULL,
    level       VARCHAR NOT NULL,
    employment  DOUBLE CHECK (employment >= 0),    -- NULL where suppressed ('*' / '#' / '—')
    annual_wage DOUBLE CHECK (annual_wage >= 0),  -- median annual wage; NULL where suppressed
    wage_topcoded BOOLEAN NOT NULL,               -- OEWS '#': at least $208,000 (stored as 208000)
    mean_wage   DOUBLE CHECK (mean_wage >= 0),    -- mean annual wage (OEWS only)
    education   VARCHAR,                          -- typical education for entry (projections only)
    -- OEWS lists 7 combined codes (e.g. 13-1020) both as 'broad' and 'detailed', same figures.
    PRIMARY KEY (vintage, code, level)
);

-- The BLS crosswalk from O*NET-SOC codes to National Employment Matrix occupations.
CREATE TABLE onet_nem_crosswalk (
    onet_code  VARCHAR PRIMARY KEY,
    onet_title VARCHAR NOT NULL,
    nem_code   VARCHAR NOT NULL,
    nem_title  VARCHAR NOT NULL
);

-- Per employment recipe, filled at build time (kb/sql/employment_coverage.sql): the source's
-- published total employment and the detailed employment that no O*NET occupation reaches.
CREATE TABLE employment_coverage (
    employment_recipe    VARCHAR PRIMARY KEY REFERENCES employment_recipes (employment_recipe),
    all_workers          DOUBLE NOT NULL,
    workers_left_out     DOUBLE NOT NULL,
    source_rows_left_out INTEGER NOT NULL,
    source               VARCHAR NOT NULL
);

-- For each O*NET occupation and employment recipe, the unit it is counted in, with the unit's
-- employment and wage; filled at build time (kb/sql/occupation_units.sql), as it depends on
-- employment and crosswalks only, never on labels.
CREATE TABLE occupation_units (
    onet_code         VARCHAR NOT NULL REFERENCES occupations (onet_code),
    employment_recipe VARCHAR NOT NULL REFERENCES employment_recipes (employment_recipe),
    unit_code         VARCHAR NOT NULL,
    unit_title        VARCHAR NOT NULL,
    employment        DOUBLE,  -- NULL: no employment found, the occupation is left out
    annual_wage       DOUBLE,
    major_group       VARCHAR NOT NULL,
    job_zone          INTEGER,  -- the unit's (OEWS recipes: rounded mean over its occupations)
    education         VARCHAR,  -- the unit's (OEWS recipes: the most common among them)
    PRIMARY KEY (onet_code, employment_recipe)
);

-- The authors' own occupation-level exposure (occ_level.csv: core 2 : supplemental 1 weights),
-- kept as a reference that `kb verify` and the tests compare with occupation_exposure.
-- dv_rating_* is GPT-4 (rater gpt4), human_rating_* the human annotators; their gamma is zeta.
CREATE TABLE reference_occupation_exposure (
    onet_code VARCHAR NOT NULL REFERENCES occupations (onet_code),
    rater     VARCHAR NOT NULL CHECK (rater IN ('human', 'gpt4')),
    measure   VARCHAR NOT NULL CHECK (measure IN ('alpha', 'beta', 'zeta')),
    exposure  DOUBLE NOT NULL CHECK (exposure BETWEEN 0 AND 1),
    PRIMARY KEY (onet_code, rater, measure)
);

-- Exposure materialised from task_labels (the views occupation_exposure_from_labels and
-- exposure_units_from_labels), so that shares and curves read a few hundred rows instead of
-- recomputing every occupation from its labels. Filled by the build for the built-in raters and
-- for every saved label set, and by `kb ingest labels` for its rater inside the same transaction
-- (kb.exposure.loading.store_exposure). A rater with labels but no rows here (labels written by
-- hand with SQL) is computed from its labels instead: the views occupation_exposure and
-- exposure_units hold both.
-- Rows are unique per (rater, measure, weighting, onet_code) and per (rater, measure, weighting,
-- employment_recipe, unit_code) by construction (GROUP BY over keyed tables); no key index, as
-- at 100x the data it would cost more memory than the rows. Stored sorted by rater, measure,
-- weighting, so one recipe's scan skips the other raters' row groups.
CREATE TABLE stored_occupation_exposure (
    onet_code VARCHAR NOT NULL,
    rater     VARCHAR NOT NULL,
    measure   VARCHAR NOT NULL,
    weighting VARCHAR NOT NULL,
    exposure  DOUBLE  NOT NULL,
    tasks     BIGINT  NOT NULL
);

CREATE TABLE stored_exposure_units (
    employment_recipe VARCHAR NOT NULL,
    unit_code         VARCHAR NOT NULL,
    title             VARCHAR NOT NULL,
    rater             VARCHAR NOT NULL,
    measure           VARCHAR NOT NULL,
    weighting         VARCHAR NOT NULL,
    exposure          DOUBLE  NOT NULL,
    onet_occupations  BIGINT  NOT NULL,
    employment        DOUBLE,
    annual_wage       DOUBLE,
    major_group       VARCHAR NOT NULL,
    job_zone          INTEGER,
    education         VARCHAR
);
