-- The sandbox keeps one table: the log of every accepted command, in order. State is the
-- replay of this log (see crates/sandbox/src/store.rs).
CREATE TABLE log (
    seq    INTEGER PRIMARY KEY,
    record BLOB    NOT NULL
);
