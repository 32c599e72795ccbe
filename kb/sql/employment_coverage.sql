-- Fills the table employment_coverage at build time (it depends on occupations, the crosswalk
-- and employment only, never on labels): per employment recipe, the source's published total
-- and the published detailed employment that no O*NET occupation reaches (each worker once).
INSERT INTO employment_coverage
WITH paper_matched AS (
    SELECT DISTINCT p.code
    FROM occupations o JOIN onet_nem_crosswalk c USING (onet_code)
    JOIN employment p ON p.vintage = 'projections-2022' AND p.level = 'line item'
                     AND p.title = c.nem_title
),
oews_matched AS (SELECT DISTINCT oews_code AS code FROM occupations WHERE oews_code IS NOT NULL)
SELECT 'paper',
       (SELECT employment FROM employment WHERE vintage = 'projections-2022' AND level = 'total'),
       coalesce(sum(employment), 0), count(*),
       'BLS Employment Projections 2022 (Table 1.7), NEM line items'
FROM employment
WHERE vintage = 'projections-2022' AND level = 'line item'
  AND code NOT IN (SELECT code FROM paper_matched)
UNION ALL
SELECT 'oews-2021',
       (SELECT employment FROM employment WHERE vintage = 'oews-2021' AND level = 'total'),
       coalesce(sum(employment), 0), count(*),
       'OEWS May 2021 national, detailed occupations'
FROM employment
WHERE vintage = 'oews-2021' AND level = 'detailed' AND code NOT IN (SELECT code FROM oews_matched)
