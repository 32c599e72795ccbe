-- Statements, not a query (no rows): insert new releases and update existing ones from the
-- staged frames kb_staged_<table> that kb.releases.tables registers. An update deletes and
-- re-inserts a release's child rows, never the release row, which other tables reference.
-- Parents (organisations, sources) are inserted before the rows that link to them. The caller
-- owns the transaction.
DELETE FROM release_organisations WHERE release_id IN (SELECT id FROM kb_staged_releases);
DELETE FROM release_modalities WHERE release_id IN (SELECT id FROM kb_staged_releases);
DELETE FROM release_sources WHERE release_id IN (SELECT id FROM kb_staged_releases);
DELETE FROM release_relations WHERE source_id IN (SELECT id FROM kb_staged_releases);
DELETE FROM facts WHERE release_id IN (SELECT id FROM kb_staged_releases);

INSERT INTO releases (id, name, date, date_precision, kind, access, parameters, summary,
                      seed_position)
SELECT id, name, CAST(date AS DATE), date_precision, kind, access, parameters, summary,
       CAST(seed_position AS INTEGER)
FROM kb_staged_releases WHERE NOT is_update;

UPDATE releases SET name = s.name, date = CAST(s.date AS DATE), date_precision = s.date_precision,
       kind = s.kind, access = s.access, parameters = s.parameters, summary = s.summary,
       seed_position = CAST(s.seed_position AS INTEGER)
FROM kb_staged_releases s WHERE releases.id = s.id AND s.is_update;

INSERT INTO organisations (id, name)
SELECT DISTINCT id, name FROM kb_staged_organisations ON CONFLICT DO NOTHING;

INSERT INTO release_organisations (release_id, organisation_id, position)
SELECT release_id, organisation_id, CAST(position AS INTEGER)
FROM kb_staged_release_organisations;

INSERT INTO release_modalities (release_id, modality)
SELECT release_id, modality FROM kb_staged_release_modalities;

INSERT INTO sources (url) SELECT DISTINCT url FROM kb_staged_sources ON CONFLICT DO NOTHING;

INSERT INTO release_sources (release_id, url, position)
SELECT release_id, url, CAST(position AS INTEGER) FROM kb_staged_release_sources;

INSERT INTO release_relations (source_id, target_id, type, note, caveat, source_url)
SELECT source_id, target_id, type, note, caveat, source_url FROM kb_staged_release_relations;

INSERT INTO facts (release_id, subject, attribute, value, unit, as_of, caveat, source_url,
                   position)
SELECT release_id, subject, attribute, value, unit, CAST(as_of AS DATE), caveat, source_url,
       CAST(position AS INTEGER)
FROM kb_staged_facts;
