-- Fills the table occupation_units at build time (it depends on occupations, the crosswalk and
-- employment only, never on labels): for each O*NET occupation and employment recipe, the unit
-- it is counted in and that unit's employment and wage.
--   paper:     the unit is the O*NET occupation itself, with the 2022 employment of the NEM
--              occupation whose title the BLS crosswalk gives it (the authors' notebook joins by
--              title); an NEM occupation mapped from several O*NET occupations counts for each.
--   oews-2021: the unit is the OEWS May 2021 detailed code holding the occupation's SOC code;
--              O*NET occupations without one stay their own unit, with no employment.
-- job_zone and education describe the unit: under oews-2021 the rounded mean Job Zone and the
-- most common education of the O*NET occupations it holds.
INSERT INTO occupation_units
WITH units AS (
SELECT o.onet_code, 'paper' AS employment_recipe, o.onet_code AS unit_code, o.title AS unit_title,
       p.employment, p.annual_wage, o.major_group, o.job_zone, o.education
FROM occupations o
LEFT JOIN onet_nem_crosswalk c USING (onet_code)
LEFT JOIN employment p
       ON p.vintage = 'projections-2022' AND p.level = 'line item' AND p.title = c.nem_title
UNION ALL
SELECT o.onet_code, 'oews-2021', coalesce(o.oews_code, o.onet_code), coalesce(d.title, o.title),
       d.employment, d.annual_wage, o.major_group, o.job_zone, o.education
FROM occupations o
LEFT JOIN employment d ON d.vintage = 'oews-2021' AND d.level = 'detailed' AND d.code = o.oews_code
)
SELECT u.onet_code, u.employment_recipe, u.unit_code, u.unit_title, u.employment, u.annual_wage,
       u.major_group,
       CAST(round(avg(u.job_zone) OVER unit) AS INTEGER),
       mode(u.education) OVER unit
FROM units u
WINDOW unit AS (PARTITION BY u.employment_recipe, u.unit_code)
ORDER BY u.employment_recipe, u.onet_code
