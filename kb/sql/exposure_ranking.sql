-- One row per unit a recipe counts (with exposure and employment), ranked most exposed first,
-- with honest ties and employment that is never counted twice without saying so:
--   rank_first..rank_last: the ranks the unit's tie group spans (most exposed first);
--   tied: units with the same exposure (rounded to 1e-9, so float noise does not split a tie);
--   shared_by: units whose employment is the same published figure (under 'paper' the
--   O*NET occupations mapped to one NEM occupation, each shown with all of its workers);
--   workers_once: employment / shared_by, so the column sums to each worker once;
--   onet_code: an O*NET occupation of the unit (the unit itself under 'paper'), for links.
-- Parameters: those of units.sql.
WITH units AS ({sql:units}),
counted AS (
    SELECT * FROM units WHERE employment IS NOT NULL AND exposure IS NOT NULL
),
members AS (
    SELECT o.unit_code, min(o.onet_code) AS onet_code,
           CASE WHEN $recipe = 'paper' THEN any_value(c.nem_title) ELSE o.unit_code END
               AS employment_source
    FROM occupation_units o
    LEFT JOIN onet_nem_crosswalk c USING (onet_code)
    WHERE o.employment_recipe = $recipe
    GROUP BY o.unit_code
),
sourced AS (
    SELECT u.*, m.onet_code, coalesce(m.employment_source, u.unit_code) AS employment_source,
           round(u.exposure, 9) AS tie_key
    FROM counted u
    LEFT JOIN members m USING (unit_code)
)
SELECT unit_code, onet_code, title, exposure, employment,
       count(*) OVER (PARTITION BY employment_source) AS shared_by,
       employment / count(*) OVER (PARTITION BY employment_source) AS workers_once,
       annual_wage, major_group, job_zone, education, onet_occupations,
       rank() OVER (ORDER BY tie_key DESC) AS rank_first,
       rank() OVER (ORDER BY tie_key DESC) + count(*) OVER (PARTITION BY tie_key) - 1 AS rank_last,
       count(*) OVER (PARTITION BY tie_key) AS tied,
       count(*) OVER () AS units
FROM sourced
ORDER BY tie_key DESC, employment DESC, title
