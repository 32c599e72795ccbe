-- One row per rater, measure and weighting for the occupation $onet_code: its exposure and its
-- percentile among all occupations under the same choices (0 = lowest, 1 = highest).
SELECT rater, measure, weighting, exposure, percentile
FROM (SELECT *, percent_rank() OVER (PARTITION BY rater, measure, weighting ORDER BY exposure)
                AS percentile
      FROM occupation_exposure)
WHERE onet_code = $onet_code
ORDER BY rater, measure, weighting
