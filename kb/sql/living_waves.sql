-- One row per wave: an ISO week whose dated releases (day precision) number at least
-- $min_releases and at least $factor times the average of the $window weeks before it (empty
-- weeks count as 0), with the organisations involved. Reads the release_waves view.
WITH bounds AS (
    SELECT min(week_start) AS first_week, max(week_start) AS last_week FROM release_waves
),
weeks AS (
    SELECT unnest(range(first_week, last_week + INTERVAL 1 WEEK, INTERVAL 1 WEEK)) AS week_start
    FROM bounds
),
counts AS (
    SELECT w.week_start, coalesce(r.releases, 0) AS releases, coalesce(r.organisations, 0)
           AS organisations, r.organisation_names, r.ids
    FROM weeks w LEFT JOIN release_waves r USING (week_start)
),
scored AS (
    SELECT *, avg(releases) OVER (ORDER BY week_start
                                  ROWS BETWEEN $window PRECEDING AND 1 PRECEDING) AS usual
    FROM counts
)
SELECT CAST(week_start AS DATE) AS week_start, isoyear(week_start) AS iso_year,
       week(week_start) AS iso_week, releases, round(coalesce(usual, 0), 2) AS usual_releases,
       round(releases / nullif(usual, 0), 2) AS ratio, organisations, organisation_names, ids
FROM scored
WHERE releases >= $min_releases AND releases >= $factor * coalesce(usual, 0)
ORDER BY week_start
