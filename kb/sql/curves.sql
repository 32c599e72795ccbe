-- curve.sql for several recipes in one query (kb.exposure.curves: a page that draws several
-- curves asks once): one row per recipe and threshold, the columns of curve.sql after recipe.
-- Parameters: $recipes (a list of structs: recipe number, rater, measure, weighting, employment
-- recipe, compare), $thresholds (a list). {exposure_units}: as in units.sql.
WITH recipes AS (
    SELECT unnest($recipes::STRUCT(recipe INTEGER, rater VARCHAR, measure VARCHAR,
                                   weighting VARCHAR, employment VARCHAR, compare VARCHAR)[],
                  recursive := true)
),
units AS (
    SELECT r.recipe, r.compare, u.exposure, u.employment, u.onet_occupations,
           u.employment IS NOT NULL AND u.exposure IS NOT NULL AS counted
    FROM recipes r
    JOIN {exposure_units} u
      ON u.rater = r.rater AND u.measure = r.measure AND u.weighting = r.weighting
     AND u.employment_recipe = r.employment
),
left_out AS (
    SELECT recipe, count(*) FILTER (WHERE NOT counted) AS occupations_left_out,
           coalesce(sum(onet_occupations) FILTER (WHERE NOT counted), 0)
               AS onet_occupations_left_out
    FROM units GROUP BY recipe
),
thresholds AS (SELECT unnest($thresholds::DOUBLE[]) AS threshold),
passing AS (
    SELECT u.recipe, t.threshold, u.employment,
           CASE WHEN u.compare = 'ge' THEN u.exposure >= t.threshold
                ELSE u.exposure > t.threshold END AS passes
    FROM units u CROSS JOIN thresholds t
    WHERE u.counted
),
counts AS (
    SELECT recipe, threshold,
           coalesce(sum(employment) FILTER (WHERE passes), 0) AS workers_exposed,
           sum(employment) AS workers_counted,
           count(*) FILTER (WHERE passes) AS occupations_exposed,
           count(*) AS occupations_counted
    FROM passing
    GROUP BY recipe, threshold
)
SELECT p.recipe, p.threshold,
       p.workers_exposed / p.workers_counted AS share_workers,
       p.occupations_exposed / p.occupations_counted AS share_occupations,
       p.workers_exposed, p.workers_counted, p.occupations_exposed, p.occupations_counted,
       l.occupations_left_out, l.onet_occupations_left_out, c.workers_left_out, c.all_workers
FROM counts p
JOIN left_out l USING (recipe)
JOIN recipes r USING (recipe)
JOIN employment_coverage c ON c.employment_recipe = r.employment
ORDER BY p.recipe, p.threshold
