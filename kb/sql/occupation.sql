-- One row (or none) for the occupation $onet_code: its identity, major group, Job Zone and the
-- typical education for entry.
SELECT o.onet_code, o.title, o.soc_code, o.major_group, g.title AS major_group_title,
       o.job_zone, o.education
FROM occupations o JOIN soc_major_groups g USING (major_group)
WHERE o.onet_code = $onet_code
