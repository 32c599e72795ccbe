-- One row per rater, measure and weighting for the occupation $onet_code: its exposure, its
-- percentile among all occupations under the same choices (percent_rank: the share of the other
-- occupations strictly less exposed; 0 = lowest, 1 = highest), its rank from the most exposed
-- (1 = most; tied occupations share the best rank), how many occupations share its exposure
-- exactly (tied, itself included) and how many were ranked.
SELECT rater, measure, weighting, exposure, percentile, rank_from_top, tied, occupations
FROM (SELECT *,
             percent_rank() OVER (PARTITION BY rater, measure, weighting ORDER BY exposure)
                 AS percentile,
             rank() OVER (PARTITION BY rater, measure, weighting ORDER BY exposure DESC)
                 AS rank_from_top,
             count(*) OVER (PARTITION BY rater, measure, weighting, exposure) AS tied,
             count(*) OVER (PARTITION BY rater, measure, weighting) AS occupations
      FROM occupation_exposure)
WHERE onet_code = $onet_code
ORDER BY rater, measure, weighting
