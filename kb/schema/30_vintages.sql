-- Current vintages beside the paper's: OEWS employment vintages (kb.exposure.oews), today's
-- O*NET tasks against the labelled ones (kb.exposure.onet_tasks) and observed Claude usage from
-- the Anthropic Economic Index (kb.usage.aei).

-- How each O*NET occupation reached its unit in an OEWS employment vintage (the unit itself,
-- with its employment, is in occupation_units). rule: detailed | hybrid | aggregate | broad |
-- minor (kb.exposure.oews.ROLLUP_RULES); NULL when no OEWS row holds the SOC code.
CREATE TABLE employment_rollups (
    employment_recipe VARCHAR NOT NULL REFERENCES employment_recipes (employment_recipe),
    onet_code         VARCHAR NOT NULL REFERENCES occupations (onet_code),
    soc_code          VARCHAR NOT NULL CHECK (soc_code = substr(onet_code, 1, 7)),
    unit_code         VARCHAR CHECK (regexp_full_match(unit_code, '\d{2}-\d{4}')),
    unit_level        VARCHAR CHECK (unit_level IN ('detailed', 'broad', 'minor')),
    rule              VARCHAR CHECK (rule IN ('detailed', 'hybrid', 'aggregate', 'broad', 'minor')),
    PRIMARY KEY (employment_recipe, onet_code),
    CHECK ((unit_code IS NULL) = (rule IS NULL))
);

-- What an OEWS employment vintage leaves out, and why (kb.exposure.oews.LEFT_OUT_REASONS):
-- side 'oews': a detailed OEWS row no O*NET occupation reaches (its workers are left out);
-- side 'onet': an O*NET occupation with labels but no OEWS employment (left out of shares).
CREATE TABLE employment_left_out (
    employment_recipe VARCHAR NOT NULL REFERENCES employment_recipes (employment_recipe),
    side              VARCHAR NOT NULL CHECK (side IN ('oews', 'onet')),
    code              VARCHAR NOT NULL,
    title             VARCHAR NOT NULL,
    employment        DOUBLE CHECK (employment >= 0),  -- NULL: not published / not applicable
    reason            VARCHAR NOT NULL CHECK (reason IN (
        'not_published', 'employment_not_published', 'all_other', 'no_labelled_occupation')),
    PRIMARY KEY (employment_recipe, side, code)
);

-- Today's O*NET task statements (O*NET 29.3, May 2025). The labels stay on the O*NET 27.2
-- tasks of the table tasks; this table says which of them are still current.
CREATE TABLE onet_tasks_current (
    onet_version  VARCHAR NOT NULL,
    onet_code     VARCHAR NOT NULL CHECK (regexp_full_match(onet_code, '\d{2}-\d{4}\.\d{2}')),
    title         VARCHAR NOT NULL,
    task_id       INTEGER NOT NULL,
    statement     VARCHAR NOT NULL,
    task_type     VARCHAR CHECK (task_type IN ('Core', 'Supplemental')),
    incumbents    INTEGER,
    date          VARCHAR,  -- O*NET's MM/YYYY of the task's data
    domain_source VARCHAR,
    statement_key VARCHAR NOT NULL,  -- kb.exposure.onet_tasks.normalise_statement(statement)
    PRIMARY KEY (onet_code, task_id)
);

-- One row per labelled (O*NET 27.2) task: still listed by id, kept by statement under another
-- id or occupation, or dropped (kb.exposure.onet_tasks.TASK_STATUSES).
-- Only the build writes it, one row per row of tasks (kb/sql/task_changes_insert.sql joins each
-- task to at most one row of each unique side), so (onet_code, task_id) is unique and names a
-- task by construction; no key index: at 100x the data the primary and foreign key cost most of
-- the O*NET step (tests/test_task_label_keys.py checks both on a built store).
CREATE TABLE task_changes (
    onet_code         VARCHAR NOT NULL,
    task_id           INTEGER NOT NULL,
    status            VARCHAR NOT NULL CHECK (status IN ('kept_id', 'kept_statement', 'dropped')),
    current_onet_code VARCHAR,
    current_task_id   INTEGER,
    statement_changed BOOLEAN NOT NULL,  -- kept_id only: the text under the same id changed
    CHECK ((status = 'dropped') = (current_task_id IS NULL))
);

-- Anthropic Economic Index releases: what each observed, and when (kb.usage.aei.RELEASE).
CREATE TABLE aei_releases (
    release             VARCHAR PRIMARY KEY,
    published           DATE NOT NULL,
    observed_product    VARCHAR NOT NULL,
    observed_model      VARCHAR NOT NULL,
    observed_release_id VARCHAR NOT NULL,  -- the model's id on the timeline (data/releases/)
    window_start        VARCHAR NOT NULL,  -- partial ISO dates (YYYY-MM)
    window_end          VARCHAR NOT NULL,
    citation            VARCHAR NOT NULL,
    url                 VARCHAR NOT NULL,
    licence             VARCHAR NOT NULL
);

-- One row per task statement of a release: its share of conversations (percent) and how many
-- labelled tasks its normalised statement matches (0: unmatched).
CREATE TABLE aei_task_usage (
    release        VARCHAR NOT NULL REFERENCES aei_releases (release),
    task_name      VARCHAR NOT NULL,
    statement_key  VARCHAR NOT NULL,
    pct            DOUBLE NOT NULL CHECK (pct BETWEEN 0 AND 100),
    labelled_tasks INTEGER NOT NULL CHECK (labelled_tasks >= 0),
    PRIMARY KEY (release, task_name)
);

-- One row per (statement, labelled task) match; pct_split is the statement's share divided by
-- the number of tasks it matches, so no conversation counts twice.
-- Only the build writes it, from the rows of tasks (kb.usage.aei.tasks_with_keys), so each
-- (onet_code, task_id) names a task by construction; no foreign key to tasks: at 100x the data
-- checking it cost more than the rest of the insert (tests/test_task_label_keys.py checks it).
CREATE TABLE aei_task_matches (
    release   VARCHAR NOT NULL,
    task_name VARCHAR NOT NULL,
    onet_code VARCHAR NOT NULL,
    task_id   INTEGER NOT NULL,
    pct_split DOUBLE NOT NULL CHECK (pct_split >= 0),
    PRIMARY KEY (release, task_name, onet_code, task_id),
    FOREIGN KEY (release, task_name) REFERENCES aei_task_usage (release, task_name)
);

-- Share of conversations by interaction pattern, and whether it counts as automation or
-- augmentation (kb.usage.aei.INTERACTION_MODES).
CREATE TABLE aei_collaboration (
    release          VARCHAR NOT NULL REFERENCES aei_releases (release),
    interaction_type VARCHAR NOT NULL,
    pct              DOUBLE NOT NULL CHECK (pct BETWEEN 0 AND 100),
    mode             VARCHAR NOT NULL CHECK (mode IN ('automation', 'augmentation', 'none')),
    PRIMARY KEY (release, interaction_type)
);

-- One row per employment recipe, rater, measure, task weighting and threshold (10%, 50%): the
-- share of workers (and of units) whose exposure is above the threshold ('>', the authors'
-- code), with the workers counted and left out, so vintages can be read side by side.
CREATE VIEW exposure_by_vintage AS
WITH counted AS (
    SELECT * FROM exposure_units WHERE employment IS NOT NULL AND exposure IS NOT NULL
)
SELECT u.employment_recipe, u.rater, u.measure, u.weighting, t.threshold,
       coalesce(sum(u.employment) FILTER (WHERE u.exposure > t.threshold), 0)
           / sum(u.employment) AS share_workers,
       count(*) FILTER (WHERE u.exposure > t.threshold) / count(*) AS share_occupations,
       sum(u.employment) AS workers_counted,
       count(*) AS occupations_counted,
       any_value(c.workers_left_out) AS workers_left_out,
       any_value(c.all_workers) AS all_workers
FROM counted u
CROSS JOIN (VALUES (0.1::DOUBLE), (0.5::DOUBLE)) AS t(threshold)
JOIN employment_coverage c USING (employment_recipe)
GROUP BY u.employment_recipe, u.rater, u.measure, u.weighting, t.threshold
ORDER BY u.rater, u.measure, u.weighting, t.threshold, u.employment_recipe;

-- Today's tasks no labelled task reaches (new since O*NET 27.2, or reworded beyond the match).
CREATE VIEW onet_tasks_unlabelled AS
SELECT c.onet_code, c.title, c.task_id, c.statement, c.task_type
FROM onet_tasks_current c
ANTI JOIN task_changes k ON k.current_onet_code = c.onet_code AND k.current_task_id = c.task_id
ORDER BY c.onet_code, c.task_id;

-- One row per occupation of today's O*NET: its tasks, how many of them a labelled task reaches,
-- and that share. Exposure shares are still computed on the labelled tasks only.
CREATE VIEW onet_task_coverage AS
WITH reached AS (
    SELECT DISTINCT current_onet_code AS onet_code, current_task_id AS task_id
    FROM task_changes WHERE current_task_id IS NOT NULL
)
SELECT c.onet_code, any_value(c.title) AS title, count(*) AS tasks_today,
       count(r.task_id) AS tasks_labelled, count(r.task_id) / count(*) AS share_labelled
FROM onet_tasks_current c
LEFT JOIN reached r USING (onet_code, task_id)
GROUP BY c.onet_code
ORDER BY c.onet_code;

-- One row per release, labelled O*NET occupation and employment recipe: the percent of all
-- conversations on its tasks (usage_share: statements shared by several tasks split equally;
-- usage_share_unsplit: each task's whole statement share), the tasks used, and the employment
-- of the unit the recipe counts it in. Occupations without observed use have usage 0.
CREATE VIEW aei_occupation_usage AS
WITH used AS (
    SELECT m.release, m.onet_code, sum(m.pct_split) AS usage_share,
           sum(u.pct) AS usage_share_unsplit, count(*) AS tasks_used
    FROM aei_task_matches m
    JOIN aei_task_usage u USING (release, task_name)
    GROUP BY m.release, m.onet_code
)
SELECT r.release, o.onet_code, o.title,
       coalesce(x.usage_share, 0) AS usage_share,
       coalesce(x.usage_share_unsplit, 0) AS usage_share_unsplit,
       coalesce(x.tasks_used, 0) AS tasks_used,
       ou.employment_recipe, ou.unit_code, ou.employment
FROM aei_releases r
CROSS JOIN occupations o
LEFT JOIN used x ON x.release = r.release AND x.onet_code = o.onet_code
LEFT JOIN occupation_units ou ON ou.onet_code = o.onet_code
ORDER BY r.release, usage_share DESC, o.onet_code, ou.employment_recipe;

-- Task statements of a release that match no labelled task (by normalised statement), largest
-- share of conversations first.
CREATE VIEW aei_unmatched_tasks AS
SELECT release, task_name, pct
FROM aei_task_usage
WHERE labelled_tasks = 0
ORDER BY release, pct DESC, task_name;

-- How observed usage falls on potential exposure: per release, rater and label of the matched
-- tasks, the percent of all conversations and the fraction of the matched conversations.
CREATE VIEW aei_usage_by_label AS
WITH by_label AS (
    SELECT m.release, l.rater, l.label, sum(m.pct_split) AS pct
    FROM aei_task_matches m
    JOIN task_labels l USING (onet_code, task_id)
    GROUP BY m.release, l.rater, l.label
)
SELECT release, rater, label, pct,
       pct / sum(pct) OVER (PARTITION BY release, rater) AS share_of_matched
FROM by_label
ORDER BY release, rater, label;

-- The automation / augmentation split per release (percent of all conversations, and as a
-- fraction of the conversations classed as either).
CREATE VIEW aei_collaboration_split AS
SELECT release, mode, sum(pct) AS pct,
       CASE WHEN mode = 'none' THEN NULL
            ELSE sum(pct) / sum(sum(pct)) FILTER (WHERE mode <> 'none') OVER (PARTITION BY release)
       END AS share_of_classified
FROM aei_collaboration
GROUP BY release, mode
ORDER BY release, mode;

-- What moved the headline between two employment recipes (a shift-share decomposition), per
-- unit (OEWS code) and rater, measure and weighting, at one threshold (p_inclusive: '>=' instead
-- of '>'). weight is a unit's share of the workers counted; exposed whether it passes the
-- threshold. employment_effect = exposed_start * (weight_end - weight_start): how much the
-- unit's growth or shrinkage moved the share; exposure_effect = weight_end * (exposed_end -
-- exposed_start): a unit whose exposure crossed the threshold (its O*NET occupations changed).
-- A unit in one recipe only takes its exposure from there. Per rater, measure and weighting
-- the effects sum to share(end) - share(start) exactly.
CREATE MACRO exposure_shift_share_of(p_start, p_end, p_threshold, p_inclusive) AS TABLE
WITH units AS (
    SELECT employment_recipe, unit_code, title, rater, measure, weighting, exposure, employment,
           CASE WHEN p_inclusive THEN exposure >= p_threshold ELSE exposure > p_threshold END
               AS exposed,
           employment / sum(employment)
               OVER (PARTITION BY employment_recipe, rater, measure, weighting) AS weight
    FROM exposure_units
    WHERE employment_recipe IN (p_start, p_end) AND employment IS NOT NULL
),
pairs AS (
    SELECT coalesce(b.rater, a.rater) AS rater, coalesce(b.measure, a.measure) AS measure,
           coalesce(b.weighting, a.weighting) AS weighting,
           coalesce(b.unit_code, a.unit_code) AS unit_code, coalesce(b.title, a.title) AS title,
           a.employment AS employment_start, b.employment AS employment_end,
           a.exposure AS exposure_start, b.exposure AS exposure_end,
           coalesce(a.weight, 0) AS weight_start, coalesce(b.weight, 0) AS weight_end,
           CAST(coalesce(a.exposed, b.exposed) AS INTEGER) AS exposed_start,
           CAST(coalesce(b.exposed, a.exposed) AS INTEGER) AS exposed_end
    FROM (SELECT * FROM units WHERE employment_recipe = p_start) a
    FULL JOIN (SELECT * FROM units WHERE employment_recipe = p_end) b
      ON a.rater = b.rater AND a.measure = b.measure AND a.weighting = b.weighting
     AND a.unit_code = b.unit_code
)
SELECT p_start AS start_recipe, p_end AS end_recipe, CAST(p_threshold AS DOUBLE) AS threshold,
       rater, measure, weighting, unit_code, title, employment_start, employment_end,
       employment_end - employment_start AS employment_change, exposure_start, exposure_end,
       weight_start, weight_end,
       exposed_start * (weight_end - weight_start) AS employment_effect,
       weight_end * (exposed_end - exposed_start) AS exposure_effect,
       weight_end * exposed_end - weight_start * exposed_start AS total_effect
FROM pairs;

-- The shift-share between OEWS May 2021 and May 2025 at the paper's thresholds ('>'), one row
-- per unit, rater, measure, weighting and threshold (see exposure_shift_share_of).
CREATE VIEW exposure_shift_share AS
SELECT * FROM exposure_shift_share_of('oews-2021', 'oews-2025', 0.1, false)
UNION ALL
SELECT * FROM exposure_shift_share_of('oews-2021', 'oews-2025', 0.5, false);

-- Every code an employment recipe leaves out, and why: the OEWS vintages' own records
-- (employment_left_out), and for the paper recipe its NEM line items no O*NET occupation reaches
-- and its O*NET occupations without employment.
CREATE VIEW employment_left_out_all AS
SELECT employment_recipe, side, code, title, employment, reason FROM employment_left_out
UNION ALL
SELECT 'paper', 'nem', e.code, e.title, e.employment, 'no_labelled_occupation'
FROM employment e
WHERE e.vintage = 'projections-2022' AND e.level = 'line item'
  AND e.title NOT IN (
      SELECT c.nem_title FROM occupations o JOIN onet_nem_crosswalk c USING (onet_code))
UNION ALL
SELECT 'paper', 'onet', u.onet_code, o.title, NULL, 'no_nem_employment'
FROM occupation_units u JOIN occupations o USING (onet_code)
WHERE u.employment_recipe = 'paper' AND u.employment IS NULL;

-- One row per release, labelled O*NET occupation, rater and measure: its potential exposure
-- (equal task weights) beside its observed usage (percent of all conversations, statements
-- shared by several tasks split equally; 0 when none of its tasks was observed).
CREATE VIEW aei_exposure_usage AS
WITH used AS (
    SELECT release, onet_code, sum(pct_split) AS usage_share, count(*) AS tasks_used
    FROM aei_task_matches GROUP BY release, onet_code
)
SELECT r.release, e.onet_code, o.title, e.rater, e.measure, e.exposure,
       coalesce(u.usage_share, 0) AS usage_share, coalesce(u.tasks_used, 0) AS tasks_used
FROM aei_releases r
CROSS JOIN occupation_exposure e
JOIN occupations o USING (onet_code)
LEFT JOIN used u ON u.release = r.release AND u.onet_code = e.onet_code
WHERE e.weighting = 'equal';

-- Occupations with high potential exposure and no observed use ('exposed, not used': exposure
-- above 0.5, no conversation on any of its tasks), and the reverse ('used, not exposed': among
-- the most used tenth of occupations, exposure at most 0.1). kb.usage.aei.gaps takes other cuts.
CREATE VIEW aei_usage_gaps AS
WITH ranked AS (
    SELECT *, percent_rank() OVER (PARTITION BY release, rater, measure ORDER BY usage_share)
               AS usage_percentile
    FROM aei_exposure_usage
)
SELECT release, rater, measure,
       CASE WHEN exposure > 0.5 THEN 'exposed, not used' ELSE 'used, not exposed' END AS grp,
       onet_code, title, exposure, usage_share, usage_percentile
FROM ranked
WHERE (exposure > 0.5 AND usage_share = 0) OR (usage_percentile >= 0.9 AND exposure <= 0.1)
ORDER BY release, rater, measure, grp, usage_share DESC, exposure DESC, onet_code;
