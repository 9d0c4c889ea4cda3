-- A service's first record and every change of its status (bridge, quote sources, calendar feed)
-- are a broadcast change of their own: the banners follow at once, not only at the end of the next
-- worker cycle (which never comes when the worker itself is stuck).
CREATE TRIGGER "live_health_insert" AFTER INSERT ON "ServiceHealth"
BEGIN
    INSERT INTO "LiveEvent" ("userId", "topic") VALUES (NULL, 'cycle');
END;

CREATE TRIGGER "live_health_update" AFTER UPDATE OF "status" ON "ServiceHealth"
WHEN OLD."status" IS NOT NEW."status"
BEGIN
    INSERT INTO "LiveEvent" ("userId", "topic") VALUES (NULL, 'cycle');
END;
