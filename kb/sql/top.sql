-- One row per unit, most exposed first ($least: least exposed first); ties broken by employment
-- (larger first), then title. Parameters: those of units.sql, $least, $n.
WITH units AS ({sql:units})
SELECT unit_code, title, exposure, employment, annual_wage, major_group, job_zone, education
FROM units
WHERE exposure IS NOT NULL
ORDER BY CASE WHEN $least THEN exposure ELSE -exposure END, employment DESC NULLS LAST, title
LIMIT $n
