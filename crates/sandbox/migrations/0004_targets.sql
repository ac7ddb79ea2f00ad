-- A provider's callback (a Kaleyra callback profile's request) goes to a target of its own:
-- method, URL and headers as JSON. NULL: the WABA app's callback, signed. Such rows are never
-- parked, whatever the app's callback.
ALTER TABLE deliveries ADD COLUMN target TEXT;
