-- Exposure measures as views over the long-form labels, so an ingested rater is picked up at once.

-- The measures' E1 and E2 weights are the table exposure_measures (kb/schema/20_exposure.sql),
-- filled from kb.vocabulary.MEASURE_WEIGHTS.

-- Task weightings: 'equal' (the paper's tables) or 'core' (Core 2 : Supplemental 1, occ_level.csv;
-- tasks without a Core/Supplemental type weigh 1, as in the authors' full_onet_data.tsv).
CREATE VIEW task_weightings AS
SELECT * FROM (VALUES
    ('equal', 1.0, 1.0, 1.0),
    ('core',  2.0, 1.0, 1.0)
) AS w(weighting, core_weight, supplemental_weight, untyped_weight);

-- One row per task, rater and measure: the task's exposure value (0, 0.5 or 1).
CREATE VIEW task_exposure AS
SELECT l.onet_code, l.task_id, t.task_type, l.rater, l.label, m.measure,
       CASE l.label WHEN 'E1' THEN m.e1_weight WHEN 'E2' THEN m.e2_weight ELSE 0.0 END AS value
FROM task_labels l
JOIN tasks t USING (onet_code, task_id)
CROSS JOIN exposure_measures m;

-- Label counts per occupation, rater and task type: what occupation exposure is computed from.
CREATE VIEW task_label_counts AS
SELECT l.onet_code, l.rater, t.task_type,
       count(*) FILTER (WHERE l.label = 'E1') AS e1,
       count(*) FILTER (WHERE l.label = 'E2') AS e2,
       count(*) AS n
FROM task_labels l
JOIN tasks t USING (onet_code, task_id)
GROUP BY l.onet_code, l.rater, t.task_type;

-- One row per occupation, rater, measure and weighting: the weighted mean of its task values,
-- computed from the labels (the build and `kb ingest labels` store it in stored_occupation_exposure).
-- Computed from label counts per task type (E1 and E2 counts are exact, so the result equals the
-- mean of the task values: one division), which is far cheaper than averaging every task row.
-- Over a table or view of such counts (by name): the view occupation_exposure_from_labels over
-- task_label_counts; the build over counts taken straight from the label file, which spares
-- joining every label to its task (kb.exposure.loading).
CREATE MACRO occupation_exposure_of_counts(label_counts_source) AS TABLE
WITH weighted AS (
    SELECT c.onet_code, c.rater, m.measure, w.weighting, c.n,
           m.e1_weight * c.e1 + m.e2_weight * c.e2 AS score,
           CASE c.task_type WHEN 'Core' THEN w.core_weight
                            WHEN 'Supplemental' THEN w.supplemental_weight
                            ELSE w.untyped_weight END AS weight
    FROM query_table(label_counts_source) c
    CROSS JOIN exposure_measures m CROSS JOIN task_weightings w
)
SELECT onet_code, rater, measure, weighting,
       sum(weight * score) / sum(weight * n) AS exposure,
       sum(n) AS tasks
FROM weighted
GROUP BY onet_code, rater, measure, weighting;

CREATE VIEW occupation_exposure_from_labels AS
SELECT * FROM occupation_exposure_of_counts('task_label_counts');

-- The units a share counts, per employment recipe (see occupation_units), with their exposure:
--   paper:     each O*NET occupation, with the 2022 employment (BLS projections) of its NEM
--              occupation, matched by title through the BLS crosswalk (the authors' notebook);
--   oews-2021: each OEWS May 2021 detailed occupation, its exposure the mean over the O*NET
--              occupations it holds; each worker is counted once.
-- A unit with NULL employment is left out of shares.
-- The units over a table or view of occupation exposure (by name): the build stores
-- exposure_units_of('stored_occupation_exposure') in stored_exposure_units. A unit's
-- descriptive columns are the same for every rater, so they are joined after the grouping.
CREATE MACRO exposure_units_of(occupation_exposure_source) AS TABLE
WITH units AS (
    SELECT employment_recipe, unit_code, any_value(unit_title) AS title,
           any_value(employment) AS employment, any_value(annual_wage) AS annual_wage,
           any_value(major_group) AS major_group, any_value(job_zone) AS job_zone,
           any_value(education) AS education
    FROM occupation_units
    GROUP BY employment_recipe, unit_code
),
exposure AS (
    SELECT u.employment_recipe, u.unit_code, e.rater, e.measure, e.weighting,
           avg(e.exposure) AS exposure, count(*) AS onet_occupations
    FROM query_table(occupation_exposure_source) e
    JOIN occupation_units u USING (onet_code)
    GROUP BY u.employment_recipe, u.unit_code, e.rater, e.measure, e.weighting
)
SELECT x.employment_recipe, x.unit_code, u.title, x.rater, x.measure, x.weighting, x.exposure,
       x.onet_occupations, u.employment, u.annual_wage, u.major_group, u.job_zone, u.education
FROM exposure x
JOIN units u USING (employment_recipe, unit_code);

CREATE VIEW exposure_units_from_labels AS
SELECT * FROM exposure_units_of('occupation_exposure_from_labels');

-- What every query reads: the stored rows, plus any rater whose labels were never stored
-- (written by hand with SQL) computed from its labels, so every rater in task_labels appears.
CREATE VIEW occupation_exposure AS
SELECT * FROM stored_occupation_exposure
UNION ALL
SELECT * FROM occupation_exposure_from_labels
WHERE rater NOT IN (SELECT DISTINCT rater FROM stored_occupation_exposure);

CREATE VIEW exposure_units AS
SELECT * FROM stored_exposure_units
UNION ALL
SELECT * FROM exposure_units_from_labels
WHERE rater NOT IN (SELECT DISTINCT rater FROM stored_exposure_units);

-- The paper's headline: share of workers in occupations with more than 10% / 50% of tasks
-- exposed, for every rater and measure, equal task weights, employment recipe 'paper'.
CREATE VIEW exposure_headline AS
SELECT u.rater, u.measure, t.threshold,
       sum(u.employment) FILTER (WHERE u.exposure > t.threshold) / sum(u.employment) AS share_workers,
       count(*) FILTER (WHERE u.exposure > t.threshold) / count(*) AS share_occupations,
       sum(u.employment) AS workers_counted,
       count(*) AS occupations_counted
FROM exposure_units u
CROSS JOIN (VALUES (0.1::DOUBLE), (0.5::DOUBLE)) AS t(threshold)
WHERE u.employment_recipe = 'paper' AND u.weighting = 'equal' AND u.employment IS NOT NULL
GROUP BY u.rater, u.measure, t.threshold
ORDER BY u.rater, u.measure, t.threshold;

-- Task-level shares: mean task value per rater and measure (e.g. human alpha ~ 15% of tasks).
CREATE VIEW task_exposure_summary AS
SELECT rater, measure, avg(value) AS mean, stddev_samp(value) AS sd, count(*) AS tasks
FROM task_exposure
GROUP BY rater, measure
ORDER BY rater, measure;
