-- A service's first record and every change of its status (bridge, quote sources, calendar feed)
-- are a broadcast change of their own: the banners follow at once, not only at the end of the next
-- worker cycle (which never comes when the worker itself is stuck).
-- Semicolons inside the function body are written \073 (see 20261207150000_live_feed).
CREATE FUNCTION "dingpan_live_health"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
    INSERT INTO "LiveEvent" ("userId", "topic") VALUES (NULL, ''cycle'')\073
    PERFORM pg_notify(''dingpan_live'', '''')\073
    RETURN NULL\073
END
';

CREATE TRIGGER "live_health_insert" AFTER INSERT ON "ServiceHealth"
    FOR EACH ROW EXECUTE FUNCTION "dingpan_live_health"();
CREATE TRIGGER "live_health_update" AFTER UPDATE OF "status" ON "ServiceHealth"
    FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status") EXECUTE FUNCTION "dingpan_live_health"();
