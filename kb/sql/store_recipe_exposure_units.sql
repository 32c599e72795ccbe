-- Fills stored_exposure_units for one employment recipe ($recipe) added after the exposure was
-- stored (an OEWS vintage): one row per unit it counts, rater, measure and weighting, built from
-- the stored occupation rows of every rater already stored.
INSERT INTO stored_exposure_units
SELECT * FROM exposure_units_of('stored_occupation_exposure')
WHERE employment_recipe = $recipe
ORDER BY rater, measure, weighting, employment_recipe, unit_code
