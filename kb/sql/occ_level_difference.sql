-- One row: the largest absolute difference between the authors' occupation exposure
-- (occ_level.csv, core 2 : supplemental 1) and ours under core weighting, over every occupation,
-- rater and measure both have, and how many such values were compared.
SELECT max(abs(r.exposure - e.exposure)), count(*)
FROM reference_occupation_exposure r
JOIN occupation_exposure e
  ON e.onet_code = r.onet_code AND e.rater = r.rater AND e.measure = r.measure
 AND e.weighting = 'core'
