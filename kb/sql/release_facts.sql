-- One row per fact recorded with a release, in the order the record lists them.
SELECT release_id, subject, attribute, value, source_url, unit, as_of, caveat
FROM facts
ORDER BY release_id, position
