-- One row per occupation whose title contains $text (case-insensitively) or whose O*NET-SOC code
-- starts with it, by title, at most $limit: onet_code, title, soc_code, major group and its title.
SELECT o.onet_code, o.title, o.soc_code, o.major_group, g.title AS major_group_title
FROM occupations o JOIN soc_major_groups g USING (major_group)
WHERE o.title ILIKE '%' || $text || '%' OR o.onet_code LIKE $text || '%'
ORDER BY o.title
LIMIT $limit
