-- One row per value given about release $release_id, for its card: attribute, value, unit,
-- the source (curated, epoch, models.dev), its name for the model and whether that name is the
-- release itself or a dated version, as_of (the curated fact's date, else the snapshot's),
-- caveat and citation; curated first, then Epoch AI, then models.dev, each by name and attribute.
SELECT f.attribute, f.value, f.unit, 'curated' AS source, f.subject AS source_key,
       'release' AS role, f.as_of, f.caveat, f.source_url
FROM facts f
WHERE f.release_id = $release_id
UNION ALL
SELECT v.attribute, v.value, v.unit, v.source, v.source_key, s.role, n.snapshot_date,
       v.caveat, v.source_url
FROM source_values v
JOIN source_records s ON s.source = v.source AND s.source_key = v.source_key
LEFT JOIN snapshots n ON n.sha256 = v.snapshot_sha256
WHERE v.release_id = $release_id
ORDER BY list_position(['curated', 'epoch', 'models.dev'], source), source_key, attribute
