-- One row per (release, modality), modalities in name order; all releases, or only
-- $release_id when it is given.
SELECT release_id, modality
FROM release_modalities
WHERE $release_id IS NULL OR release_id = $release_id
ORDER BY release_id, modality
