-- One row per SOC code in the usage data: its title and usage score, the mean exposure (rater
-- $rater, measure $measure, equal task weights) of the O*NET occupations the crosswalk maps to
-- it (NULL when none), how many there are, and its employment in $employment (NULL if none).
WITH occ AS (
    SELECT onet_code, exposure
    FROM occupation_exposure
    WHERE measure = $measure AND rater = $rater AND weighting = 'equal'
),
emp AS ({sql:usage_employment}),
soc AS (
    SELECT o.nem_code AS soc_code, avg(occ.exposure) AS exposure,
           count(*) AS onet_occupations,
           string_agg(o.onet_code, ' ' ORDER BY o.onet_code) AS onet_codes
    FROM occ JOIN occupations o USING (onet_code)
    WHERE o.nem_code IS NOT NULL
    GROUP BY o.nem_code
)
SELECT u.soc_code, u.title, soc.exposure, u.score AS usage_score, e.employment,
       coalesce(soc.onet_occupations, 0) AS onet_occupations, soc.onet_codes
FROM observed_usage u
LEFT JOIN soc USING (soc_code)
LEFT JOIN emp e ON e.code = u.soc_code
ORDER BY u.soc_code
