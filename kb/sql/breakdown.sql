-- One row per group ($by: major_group, job_zone, education or wage_quintile): workers, the
-- employment-weighted share exposed at $threshold ($compare), the employment-weighted mean
-- exposure. Wage quintiles are employment-weighted: units sorted by median annual wage, each
-- quintile holding about a fifth of the counted workers (1 = lowest paid); no wage -> NULL group.
-- Parameters: those of units.sql, $by, $compare, $threshold.
WITH units AS ({sql:units}),
counted AS (SELECT * FROM units WHERE employment IS NOT NULL AND exposure IS NOT NULL),
ranked AS (
    SELECT *,
           coalesce(sum(employment) FILTER (WHERE annual_wage IS NOT NULL) OVER (
               ORDER BY annual_wage, unit_code ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
               AS below,
           sum(employment) FILTER (WHERE annual_wage IS NOT NULL) OVER () AS waged
    FROM counted
),
grouped AS (
    SELECT *,
           CASE $by
               WHEN 'major_group' THEN major_group
               WHEN 'job_zone' THEN CAST(job_zone AS VARCHAR)
               WHEN 'education' THEN education
               WHEN 'wage_quintile' THEN CASE WHEN annual_wage IS NOT NULL THEN
                   CAST(CAST(least(5, 1 + floor(5 * below / waged)) AS INTEGER) AS VARCHAR) END
           END AS group_key,
           CASE WHEN $compare = 'ge' THEN exposure >= $threshold ELSE exposure > $threshold END
               AS passes
    FROM ranked
)
SELECT f.group_key,
       coalesce(g.title, f.group_key) AS group_label,
       sum(f.employment) AS workers,
       sum(f.employment) / (SELECT sum(employment) FROM counted) AS share_of_workers,
       coalesce(sum(f.employment) FILTER (WHERE f.passes), 0) / sum(f.employment) AS share_exposed,
       sum(f.employment * f.exposure) / sum(f.employment) AS mean_exposure,
       count(*) AS occupations,
       min(f.annual_wage) AS min_wage,
       max(f.annual_wage) AS max_wage
FROM grouped f
LEFT JOIN soc_major_groups g ON g.major_group = f.group_key
GROUP BY f.group_key, g.title
ORDER BY f.group_key NULLS LAST
