-- Fills the table occupations at build time: one row per O*NET-SOC occupation of the label set
-- (the temporary view occupation_frame), with its NEM code (BLS crosswalk), the OEWS May 2021
-- detailed code that holds it (oews_hybrid_frame: the hybrid codes), Job Zone and education.
INSERT INTO occupations
SELECT o.onet_code, o.title, substr(o.onet_code, 1, 7), substr(o.onet_code, 1, 2) || '-0000',
       c.nem_code,
       CASE WHEN d.code IS NOT NULL THEN d.code WHEN h.code IS NOT NULL THEN h.code
            WHEN r.code IS NOT NULL THEN r.code END,
       j.job_zone, p.education
FROM occupation_frame o
LEFT JOIN onet_nem_crosswalk c USING (onet_code)
LEFT JOIN employment p ON p.vintage = 'projections-2022' AND p.code = c.nem_code
LEFT JOIN job_zone_frame j ON j.title = o.title
-- OEWS 2021 publishes some SOC codes only combined: into a code ending in 0 (13-1020 holds
-- 13-1021..13-1023) or into one of the listed hybrid codes. Use the exact detailed code, else
-- the hybrid code, else the code ending in 0, else none.
LEFT JOIN employment d ON d.vintage = 'oews-2021' AND d.level = 'detailed'
     AND d.code = substr(o.onet_code, 1, 7)
LEFT JOIN oews_hybrid_frame x ON x.soc_code = substr(o.onet_code, 1, 7)
LEFT JOIN employment h ON h.vintage = 'oews-2021' AND h.level = 'detailed' AND h.code = x.oews_code
LEFT JOIN employment r ON r.vintage = 'oews-2021' AND r.level = 'detailed'
     AND r.code = substr(o.onet_code, 1, 6) || '0'
ORDER BY o.onet_code
