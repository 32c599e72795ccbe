-- One row per pair of categories (rater a's, rater b's) with the number of items, plus the
-- Pearson correlation of the raw values (same on every row). Items are the tasks both raters
-- labelled (categories: the task's value 0 / 0.5 / 1 under $measure) or the occupations
-- (categories: exposed / not exposed, exposure compared with $threshold by $compare).
-- Occupations are O*NET occupations when $employment is NULL, else the units employment recipe
-- $employment counts (units with employment, e.g. OEWS codes after roll-up), each counted once,
-- read from {exposure_units} (stored rows, or computed from labels: see units.sql).
-- Parameters: $level, $rater_a, $rater_b, $measure, $weighting, $compare, $threshold,
-- $employment.
WITH occupation_pairs AS (
    SELECT a.exposure AS va, b.exposure AS vb
    FROM occupation_exposure a
    JOIN occupation_exposure b
      ON b.onet_code = a.onet_code AND b.measure = a.measure AND b.weighting = a.weighting
    WHERE $level = 'occupation' AND $employment IS NULL AND a.rater = $rater_a
      AND b.rater = $rater_b AND a.measure = $measure AND a.weighting = $weighting
),
unit_pairs AS (
    SELECT a.exposure AS va, b.exposure AS vb
    FROM {exposure_units} a
    JOIN {exposure_units} b
      ON b.unit_code = a.unit_code AND b.employment_recipe = a.employment_recipe
     AND b.measure = a.measure AND b.weighting = a.weighting
    WHERE $level = 'occupation' AND a.employment_recipe = $employment
      AND a.rater = $rater_a AND b.rater = $rater_b
      AND a.measure = $measure AND a.weighting = $weighting
      AND a.employment IS NOT NULL AND a.exposure IS NOT NULL AND b.exposure IS NOT NULL
),
task_pairs AS (
    SELECT a.value AS va, b.value AS vb
    FROM task_exposure a
    JOIN task_exposure b
      ON b.onet_code = a.onet_code AND b.task_id = a.task_id AND b.measure = a.measure
    WHERE $level = 'task' AND a.rater = $rater_a AND b.rater = $rater_b AND a.measure = $measure
),
pairs AS (
    SELECT * FROM task_pairs UNION ALL SELECT * FROM occupation_pairs
    UNION ALL SELECT * FROM unit_pairs
),
categorised AS (
    SELECT va, vb,
           CASE WHEN $level = 'task' THEN CAST(va AS VARCHAR)
                WHEN (CASE WHEN $compare = 'ge' THEN va >= $threshold ELSE va > $threshold END)
                THEN 'exposed' ELSE 'not exposed' END AS category_a,
           CASE WHEN $level = 'task' THEN CAST(vb AS VARCHAR)
                WHEN (CASE WHEN $compare = 'ge' THEN vb >= $threshold ELSE vb > $threshold END)
                THEN 'exposed' ELSE 'not exposed' END AS category_b
    FROM pairs
)
-- corr() sums in a fixed order: in parallel its last digits change from run to run.
SELECT category_a, category_b, count(*) AS n,
       (SELECT corr(va, vb ORDER BY va, vb) FROM pairs) AS pearson_r
FROM categorised
GROUP BY category_a, category_b
ORDER BY category_a, category_b
