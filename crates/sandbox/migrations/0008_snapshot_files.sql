-- Snapshots move to files beside the database (`<database>.snapshots/<seq>`): a row whose
-- `file_sum` is set keeps an empty `state`, and its snapshot is that file, checked against this
-- checksum when read. Rows from before keep their state inline and still read.
ALTER TABLE snapshot ADD COLUMN file_sum INTEGER;
