-- One row per unit (occupation) that a recipe counts: its exposure, employment, wage and groups.
-- Parameters: $recipe (employment recipe), $rater, $measure, $weighting.
-- {exposure_units} is stored_exposure_units (what the build and `kb ingest labels` store), or for
-- a rater with no stored rows (labels written by hand with SQL) the view exposure_units, which
-- computes them from its labels. Under oews-2021 a unit's exposure is the mean over its O*NET
-- occupations (its Job Zone and education: see occupation_units).
-- The other queries here include this file as their first CTE, named units.
SELECT unit_code, title, exposure, employment, annual_wage, major_group, job_zone, education,
       onet_occupations
FROM {exposure_units}
WHERE rater = $rater AND measure = $measure AND weighting = $weighting
  AND employment_recipe = $recipe
