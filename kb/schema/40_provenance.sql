-- Exposure sources: who or what produced each exposure measure, with what method, and when.
-- One row per label set (a rater in task_labels) or occupation-level measure (observed usage).
-- Label sets link to the rater whose rows they are; a set produced by a model links to the
-- release in the timeline that produced it.
CREATE TABLE exposure_sources (
    source_id           VARCHAR PRIMARY KEY,
    rater               VARCHAR UNIQUE REFERENCES raters (rater),
    measure             VARCHAR UNIQUE,
    kind                VARCHAR NOT NULL
                        CHECK (kind IN ('human_annotation', 'model_labels', 'usage_log')),
    level               VARCHAR NOT NULL CHECK (level IN ('task', 'occupation')),
    produced_by_release VARCHAR REFERENCES releases (id),
    producer            VARCHAR NOT NULL,
    method              VARCHAR NOT NULL,
    -- When the measure was produced or observed (a label set: at the latest its first
    -- publication; usage: the end of the observation window).
    date                DATE NOT NULL,
    date_note           VARCHAR,
    period_start        DATE,
    period_end          DATE,
    -- When it became public, ISO with its precision: 2023-03-17, 2025-07 or 2025.
    published           VARCHAR,
    citation            VARCHAR NOT NULL,
    url                 VARCHAR,
    licence             VARCHAR,
    note                VARCHAR,
    origin              VARCHAR NOT NULL CHECK (origin IN ('built-in', 'ingested')),
    tasks_labelled      INTEGER CHECK (tasks_labelled IS NULL OR tasks_labelled > 0),
    -- A label set is a rater's rows; a usage measure is an occupation-level measure.
    CHECK ((level = 'task') = (rater IS NOT NULL)),
    CHECK ((level = 'occupation') = (measure IS NOT NULL)),
    CHECK (kind <> 'model_labels' OR produced_by_release IS NOT NULL),
    CHECK (kind <> 'human_annotation' OR produced_by_release IS NULL),
    CHECK (period_start IS NULL OR period_end IS NULL OR period_start <= period_end)
);

-- Observed usage: "Working with AI" (Tomlinson et al. 2025) AI applicability per 2018 SOC code
-- (detailed codes, and the OEWS/NEM aggregates such as 13-1020), from Bing Copilot conversations.
-- One row per SOC code.
CREATE TABLE observed_usage (
    soc_code             VARCHAR PRIMARY KEY CHECK (regexp_full_match(soc_code, '\d\d-\d\d\d\d')),
    title                VARCHAR NOT NULL,
    score                DOUBLE NOT NULL CHECK (score BETWEEN 0 AND 1),
    score_user           DOUBLE CHECK (score_user BETWEEN 0 AND 1),
    score_ai             DOUBLE CHECK (score_ai BETWEEN 0 AND 1),
    coverage_user        DOUBLE,
    coverage_ai          DOUBLE,
    completion_user      DOUBLE,
    completion_ai        DOUBLE,
    impact_scope_user    DOUBLE,
    impact_scope_ai      DOUBLE,
    feedback_positive_user DOUBLE,
    feedback_positive_ai DOUBLE,
    source_id            VARCHAR NOT NULL REFERENCES exposure_sources (source_id)
);
