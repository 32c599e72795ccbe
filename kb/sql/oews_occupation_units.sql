-- One row per O*NET occupation for one OEWS employment vintage ($recipe): the unit it is
-- counted in (kb.exposure.oews.build_vintage, registered as vintage_assignments), with the
-- unit's employment and wage. An occupation that no OEWS row holds stays its own unit, with no
-- employment (left out of shares). As under oews-2021 (occupation_units.sql), a unit's Job Zone
-- is the rounded mean and its education the most common over the O*NET occupations it holds.
INSERT INTO occupation_units
WITH units AS (
    SELECT o.onet_code, coalesce(a.unit_code, o.onet_code) AS unit_code,
           coalesce(a.unit_title, o.title) AS unit_title,
           CAST(a.employment AS DOUBLE) AS employment, CAST(a.annual_wage AS DOUBLE) AS annual_wage,
           o.major_group, o.job_zone, o.education
    FROM occupations o
    LEFT JOIN vintage_assignments a USING (onet_code)
)
SELECT onet_code, $recipe, unit_code, unit_title, employment, annual_wage, major_group,
       CAST(round(avg(job_zone) OVER unit) AS INTEGER),
       mode(education) OVER unit
FROM units
WINDOW unit AS (PARTITION BY unit_code)
ORDER BY onet_code
