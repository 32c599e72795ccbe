-- One row per occupation none of whose tasks any of $raters labelled exposed under $measure
-- (every task value 0), with its paper-recipe employment and wage.
-- Parameters: $measure, $raters (a list).
WITH per_occupation AS (
    SELECT onet_code, max(value) AS max_value, count(DISTINCT rater) AS raters,
           count(DISTINCT task_id) AS tasks
    FROM task_exposure
    WHERE measure = $measure AND list_contains($raters::VARCHAR[], rater)
    GROUP BY onet_code
)
SELECT o.onet_code, o.title, p.tasks, p.raters, e.employment, e.annual_wage, o.major_group,
       o.job_zone
FROM per_occupation p
JOIN occupations o USING (onet_code)
LEFT JOIN onet_nem_crosswalk c USING (onet_code)
LEFT JOIN employment e
       ON e.vintage = 'projections-2022' AND e.level = 'line item' AND e.title = c.nem_title
WHERE p.max_value = 0 AND p.raters = len($raters::VARCHAR[])
ORDER BY e.employment DESC NULLS LAST, o.title
