-- One row per (release, source URL), in the order the record lists them.
SELECT release_id, url FROM release_sources ORDER BY release_id, position
