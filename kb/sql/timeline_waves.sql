-- One row per wave: an ISO week whose releases (from the relation {releases}: id, date,
-- date_precision, lead_organisation; day-precision dates only) number at least $min_releases
-- and at least $factor times the average of the $window weeks before it (empty weeks count as
-- 0), with the organisations involved.
WITH dated AS (
    SELECT id, date, lead_organisation, CAST(date_trunc('week', date) AS DATE) AS week_start
    FROM {releases}
    WHERE date_precision = 'day'
),
per_week AS (
    SELECT week_start, count(*) AS releases,
           count(DISTINCT lead_organisation) AS organisation_count,
           string_agg(DISTINCT lead_organisation, '; ' ORDER BY lead_organisation)
               AS organisations,
           string_agg(id, ', ' ORDER BY date, id) AS ids
    FROM dated GROUP BY week_start
),
weeks AS (
    SELECT CAST(unnest(range(min(week_start), max(week_start) + INTERVAL 1 WEEK,
                             INTERVAL 1 WEEK)) AS DATE) AS week_start
    FROM per_week
),
scored AS (
    SELECT w.week_start, coalesce(p.releases, 0) AS releases,
           coalesce(p.organisation_count, 0) AS organisation_count, p.organisations, p.ids,
           avg(coalesce(p.releases, 0)) OVER (ORDER BY w.week_start
               ROWS BETWEEN $window PRECEDING AND 1 PRECEDING) AS usual
    FROM weeks w LEFT JOIN per_week p USING (week_start)
)
SELECT week_start, isoyear(week_start) AS iso_year, week(week_start) AS iso_week, releases,
       organisation_count, organisations, ids, round(coalesce(usual, 0), 2) AS usual_releases,
       round(releases / nullif(usual, 0), 2) AS ratio
FROM scored
WHERE releases >= $min_releases AND releases >= $factor * coalesce(usual, 0)
ORDER BY week_start
