-- One row: the usage headline over every SOC code of the usage data, weighted by employment in
-- $employment: mean score, share of workers in codes scoring at least $cut, workers, codes with
-- employment, codes without.
WITH emp AS ({sql:usage_employment})
SELECT sum(u.score * e.employment) / sum(e.employment),
       sum(CASE WHEN u.score >= $cut THEN e.employment ELSE 0 END) / sum(e.employment),
       sum(e.employment), count(e.employment), count(*) - count(e.employment)
FROM observed_usage u
LEFT JOIN emp e ON e.code = u.soc_code
