-- Snapshots and history. The live state is the latest snapshot plus the log records after it
-- (records a snapshot covers are deleted); history is what the state does not keep in memory:
-- thread messages that left memory, and every webhook with its attempts, pruned past the
-- retention.
CREATE TABLE snapshot (
    seq   INTEGER PRIMARY KEY,  -- the last log record it covers
    state BLOB    NOT NULL
);

CREATE TABLE entries (
    number TEXT    NOT NULL,
    wa_id  TEXT    NOT NULL,
    pos    INTEGER NOT NULL,    -- position in the thread, from 0
    id     TEXT    NOT NULL,
    at     INTEGER NOT NULL,    -- ms
    body   BLOB    NOT NULL,
    PRIMARY KEY (number, wa_id, pos)
) WITHOUT ROWID;
CREATE UNIQUE INDEX entries_id ON entries (id);
CREATE INDEX entries_at ON entries (at);

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    waba_id         TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    body            BLOB    NOT NULL,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER,
    state           INTEGER NOT NULL,  -- 0 pending, 1 delivered, 2 dropped
    parked          INTEGER NOT NULL,  -- 1 while its app has no callback
    attempts        TEXT    NOT NULL DEFAULT '[]'  -- JSON array, oldest first
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at, id) WHERE state = 0 AND parked = 0;
