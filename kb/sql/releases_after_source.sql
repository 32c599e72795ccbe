-- One row per release on the timeline dated after an exposure source was made (parameters: the
-- source's date, its source_id): what the source could not have seen. Oldest first; a release
-- the source observed or was produced by is marked.
SELECT r.id, r.name, r.date, r.kind,
       r.id = (SELECT produced_by_release FROM exposure_sources WHERE source_id = $2)
           AS produced_or_observed_it
FROM releases r
WHERE r.date > $1
ORDER BY r.date, r.id
