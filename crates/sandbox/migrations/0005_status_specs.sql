-- Two status webhooks follow every send. They are stored as what they are made of (a compact
-- JSON document, `form` 1) and rendered when read, which is always the same bytes; every other
-- webhook keeps its exact body (`form` 0).
ALTER TABLE deliveries ADD COLUMN form INTEGER NOT NULL DEFAULT 0;
