-- One row per rater, measure and level: mean and sample standard deviation of exposure.
-- Task level: each task once. Occupation level: each occupation once, per task weighting.
SELECT rater, measure, 'task' AS level, NULL AS weighting,
       avg(value) AS mean, stddev_samp(value) AS sd, count(*) AS n
FROM task_exposure GROUP BY rater, measure
UNION ALL
SELECT rater, measure, 'occupation', weighting, avg(exposure), stddev_samp(exposure), count(*)
FROM occupation_exposure GROUP BY rater, measure, weighting
ORDER BY rater, measure, level DESC, weighting NULLS FIRST
