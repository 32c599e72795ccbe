-- One row per threshold: the share of workers (employment-weighted) and of occupations whose
-- exposure passes it ($compare 'gt': exposure > t; 'ge': exposure >= t), over the units with
-- employment; plus, identical on every row, what the recipe left out (see employment_coverage).
-- Parameters: those of units.sql, $thresholds (a list), $compare.
WITH units AS ({sql:units}),
counted AS (SELECT * FROM units WHERE employment IS NOT NULL AND exposure IS NOT NULL),
left_out AS (
    SELECT count(*) AS occupations_left_out,
           coalesce(sum(onet_occupations), 0) AS onet_occupations_left_out
    FROM units WHERE employment IS NULL OR exposure IS NULL
),
thresholds AS (SELECT unnest($thresholds::DOUBLE[]) AS threshold),
passing AS (
    SELECT t.threshold, c.employment,
           CASE WHEN $compare = 'ge' THEN c.exposure >= t.threshold
                ELSE c.exposure > t.threshold END AS passes
    FROM thresholds t CROSS JOIN counted c
)
SELECT p.threshold,
       coalesce(sum(p.employment) FILTER (WHERE p.passes), 0) / sum(p.employment) AS share_workers,
       count(*) FILTER (WHERE p.passes) / count(*) AS share_occupations,
       coalesce(sum(p.employment) FILTER (WHERE p.passes), 0) AS workers_exposed,
       sum(p.employment) AS workers_counted,
       count(*) FILTER (WHERE p.passes) AS occupations_exposed,
       count(*) AS occupations_counted,
       any_value(l.occupations_left_out) AS occupations_left_out,
       any_value(l.onet_occupations_left_out) AS onet_occupations_left_out,
       any_value(c.workers_left_out) AS workers_left_out,
       any_value(c.all_workers) AS all_workers
FROM passing p
CROSS JOIN left_out l
JOIN employment_coverage c ON c.employment_recipe = $recipe
GROUP BY p.threshold
ORDER BY p.threshold
