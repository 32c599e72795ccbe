-- One row per unit (occupation) that a recipe counts: its exposure, employment, wage and groups.
-- Parameters: $recipe (employment recipe), $rater, $measure, $weighting.
-- The same definitions as the views occupation_exposure / exposure_units, with the filters
-- first so one recipe reads only its rater's labels. Under oews-2021 a unit's exposure is the
-- mean over its O*NET occupations (its Job Zone and education: see occupation_units).
-- The other queries here embed this as their first CTE, named units.
WITH counts AS (
    SELECT l.onet_code, t.task_type,
           count(*) FILTER (WHERE l.label = 'E1') AS e1,
           count(*) FILTER (WHERE l.label = 'E2') AS e2,
           count(*) AS n
    FROM task_labels l
    JOIN tasks t USING (onet_code, task_id)
    WHERE l.rater = $rater
    GROUP BY l.onet_code, t.task_type
),
occupation AS (
    SELECT c.onet_code,
           sum(w.weight * (m.e1_weight * c.e1 + m.e2_weight * c.e2)) / sum(w.weight * c.n) AS exposure
    FROM counts c
    JOIN exposure_measures m ON m.measure = $measure
    JOIN (SELECT CASE task_type WHEN 'Core' THEN core_weight
                                WHEN 'Supplemental' THEN supplemental_weight
                                ELSE untyped_weight END AS weight, task_type
          FROM task_weightings
          CROSS JOIN (VALUES ('Core'), ('Supplemental'), (NULL)) AS types(task_type)
          WHERE weighting = $weighting) w
      ON w.task_type IS NOT DISTINCT FROM c.task_type
    GROUP BY c.onet_code
)
SELECT u.unit_code, any_value(u.unit_title) AS title, avg(e.exposure) AS exposure,
       any_value(u.employment) AS employment, any_value(u.annual_wage) AS annual_wage,
       any_value(u.major_group) AS major_group, any_value(u.job_zone) AS job_zone,
       any_value(u.education) AS education, count(*) AS onet_occupations
FROM occupation e
JOIN occupation_units u ON u.onet_code = e.onet_code AND u.employment_recipe = $recipe
GROUP BY u.unit_code
