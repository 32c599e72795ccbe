-- Fills stored_occupation_exposure for the raters $raters: one row per occupation, rater,
-- measure and weighting, computed from the label counts in {counts} (the view task_label_counts,
-- or in the build the same counts taken from the label file) by occupation_exposure_of_counts,
-- the macro the view occupation_exposure_from_labels uses.
INSERT INTO stored_occupation_exposure
SELECT onet_code, rater, measure, weighting, exposure, tasks
FROM occupation_exposure_of_counts('{counts}')
WHERE list_contains($raters::VARCHAR[], rater)
ORDER BY rater, measure, weighting, onet_code
