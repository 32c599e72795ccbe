-- Example queries for the dashboard's SQL page (read-only; they also run in the DuckDB CLI).
-- Each block starts with a `-- name:` line; the page lists them in this order.

-- name: The release timeline, in order
SELECT position, date, name, lead_organisation, kind
FROM timeline
ORDER BY position;

-- name: Days with more than one release
SELECT date, releases, ids
FROM releases_per_day
WHERE releases > 1
ORDER BY date;

-- name: Everything Alpaca was built from (lineage closure)
SELECT release_id, ancestor_id, depth, relation_path
FROM lineage_closure
WHERE release_id = 'alpaca'
ORDER BY depth, ancestor_id;

-- name: GPT-4 facts with their caveats
SELECT subject, attribute, value, unit, as_of, caveat
FROM facts
WHERE release_id = 'gpt-4'
ORDER BY subject, attribute;

-- name: Task labels per rater (E0 none, E1 direct, E2 with software)
SELECT rater, label, count(*) AS tasks
FROM task_labels
GROUP BY rater, label
ORDER BY rater, label;

-- name: Mean occupation exposure per rater, measure and task weighting
SELECT rater, measure, weighting, round(avg(exposure), 3) AS mean_exposure, count(*) AS occupations
FROM occupation_exposure
GROUP BY rater, measure, weighting
ORDER BY rater, measure, weighting;

-- name: Who produced each exposure measure, and when
SELECT source_id, coalesce(rater, measure) AS measure, kind, produced_by_release, date
FROM exposure_sources
ORDER BY date, source_id;

-- name: Largest occupations by OEWS May 2021 employment
SELECT code, title, employment, annual_wage
FROM employment
WHERE vintage = 'oews-2021' AND level = 'detailed'
ORDER BY employment DESC
LIMIT 20;

-- name: Upstream files, licences and checksums
SELECT dataset, file, licence, sha256, url
FROM upstream_files
ORDER BY dataset, file;

-- name: Tables and views in the store
SHOW TABLES;
