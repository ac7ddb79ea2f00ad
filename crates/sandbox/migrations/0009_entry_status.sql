-- A message's status after it left memory goes to its own small table instead of being patched
-- into its row in `entries` (which rewrote a page of older messages for every status, and parsed
-- and printed the JSON): reads lay it over the row's `status`. Rows patched before keep their
-- status in their body and still read.
CREATE TABLE entry_status (
    number TEXT    NOT NULL,
    wa_id  TEXT    NOT NULL,
    pos    INTEGER NOT NULL,
    status TEXT    NOT NULL,
    PRIMARY KEY (number, wa_id, pos)
) WITHOUT ROWID;
