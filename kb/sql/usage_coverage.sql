-- One row per matching rule ('crosswalk': through the BLS crosswalk; 'truncate': the O*NET-SOC
-- code cut to 7 characters), side ('exposure': codes the labelled O*NET occupations reach;
-- 'usage': codes of the usage data) and matched or not: the number of SOC codes, of O*NET
-- occupations, and their employment in $employment.
WITH emp AS ({sql:usage_employment}),
onet AS (
    SELECT o.onet_code, o.nem_code AS crosswalk_code, o.soc_code AS truncated_code
    FROM occupations o
    WHERE o.onet_code IN (SELECT DISTINCT onet_code FROM task_labels)
),
rules AS (
    SELECT 'crosswalk' AS rule, onet_code, crosswalk_code AS code FROM onet
    UNION ALL
    SELECT 'truncate', onet_code, truncated_code FROM onet
),
codes AS (
    SELECT rule, code, count(*) AS occupations FROM rules WHERE code IS NOT NULL GROUP BY ALL
),
sides AS (
    SELECT r.rule, c.code, c.occupations, u.soc_code IS NOT NULL AS in_usage,
           'exposure' AS side
    FROM (SELECT DISTINCT rule FROM rules) r JOIN codes c USING (rule)
    LEFT JOIN observed_usage u ON u.soc_code = c.code
    UNION ALL
    SELECT r.rule, u.soc_code, coalesce(c.occupations, 0), c.code IS NOT NULL, 'usage'
    FROM (SELECT DISTINCT rule FROM rules) r CROSS JOIN observed_usage u
    LEFT JOIN codes c ON c.rule = r.rule AND c.code = u.soc_code
)
SELECT s.rule, s.side, s.in_usage AS matched, count(*) AS soc_codes,
       sum(s.occupations)::BIGINT AS onet_occupations,
       coalesce(sum(e.employment), 0) AS employment, count(e.employment) AS codes_with_employment
FROM sides s
LEFT JOIN emp e ON e.code = s.code
GROUP BY ALL
ORDER BY s.rule, s.side, matched DESC
