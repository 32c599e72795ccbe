-- Facts about the store itself: schema version, kb version, build time, inputs fingerprint.
CREATE TABLE kb_meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
