-- One row per lineage edge inside the family of release $root_id (every release built, directly
-- or not, from it), plus one row for the root itself (parent NULL, depth 0): the release, its
-- depth (fewest lineage edges from the root), the parent it was built from and how.
WITH RECURSIVE reached (id, depth) AS (
    SELECT $root_id, 0
    UNION
    SELECT r.source_id, reached.depth + 1
    FROM release_relations r JOIN reached ON r.target_id = reached.id
    WHERE reached.depth < 50
),
family AS (
    SELECT id, min(depth) AS depth FROM reached GROUP BY id
),
edges AS (
    SELECT f.id, f.depth, r.target_id AS parent, r.type AS relation_type
    FROM family f
    JOIN release_relations r ON r.source_id = f.id
    JOIN family p ON p.id = r.target_id
    WHERE f.depth > 0
    UNION ALL
    SELECT id, 0, NULL, NULL FROM family WHERE depth = 0
)
SELECT e.id, rel.name, o.date, o.lead_organisation, rel.kind, e.depth, e.parent,
       e.relation_type
FROM edges e
JOIN releases rel ON rel.id = e.id
LEFT JOIN release_overview o ON o.id = e.id
ORDER BY e.depth, o.date NULLS LAST, e.id, e.parent
