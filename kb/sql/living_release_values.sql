-- One row per value a source gives about release $release_id (for its card): the source, its
-- name for the model and that name's role (the release itself or a dated version), attribute,
-- value, unit, caveat, citation and the snapshot's date; curated facts first, then Epoch AI,
-- then models.dev, each in attribute order.
SELECT 'curated' AS source, f.release_id AS source_key, 'release' AS role, f.attribute, f.value,
       f.unit, f.caveat, f.source_url, NULL::DATE AS snapshot_date, f.subject
FROM facts f
WHERE f.release_id = $release_id
UNION ALL
SELECT v.source, v.source_key, s.role, v.attribute, v.value, v.unit, v.caveat, v.source_url,
       n.snapshot_date, v.source_key
FROM source_values v
JOIN source_records s ON s.source = v.source AND s.source_key = v.source_key
LEFT JOIN snapshots n ON n.sha256 = v.snapshot_sha256
WHERE v.release_id = $release_id
ORDER BY list_position(['curated', 'epoch', 'models.dev'], source), source_key, attribute
