-- One row per (release, organisation), in the order the record names them; all releases, or
-- only $release_id when it is given. The one read of who made a release.
SELECT ro.release_id, o.name
FROM release_organisations ro
JOIN organisations o ON o.id = ro.organisation_id
WHERE $release_id IS NULL OR ro.release_id = $release_id
ORDER BY ro.release_id, ro.position
