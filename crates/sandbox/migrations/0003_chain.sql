-- A running checksum over the log: each record carries the FNV-1a hash of the previous record's
-- checksum, its sequence number and its bytes; a snapshot carries the checksum of the record it
-- covers. Opening checks the chain, so a record changed or removed behind the store's back is
-- an error rather than a different history. `meta.last_seq` is the last record committed, so
-- removing the newest records is seen too. Rows written before this migration have no checksum.
ALTER TABLE log ADD COLUMN chain INTEGER;
ALTER TABLE snapshot ADD COLUMN chain INTEGER;
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
