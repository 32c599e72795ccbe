-- Fills stored_exposure_units for the raters $raters: one row per unit a recipe counts, rater,
-- measure and weighting, built from the stored occupation rows (not recomputed from labels).
INSERT INTO stored_exposure_units
SELECT * FROM exposure_units_of('stored_occupation_exposure')
WHERE list_contains($raters::VARCHAR[], rater)
ORDER BY rater, measure, weighting, employment_recipe, unit_code
