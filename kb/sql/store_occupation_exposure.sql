-- Fills stored_occupation_exposure for the raters $raters: one row per occupation, rater,
-- measure and weighting, computed from their labels (the view occupation_exposure_from_labels).
INSERT INTO stored_occupation_exposure
SELECT onet_code, rater, measure, weighting, exposure, tasks
FROM occupation_exposure_from_labels
WHERE list_contains($raters::VARCHAR[], rater)
ORDER BY rater, measure, weighting, onet_code
