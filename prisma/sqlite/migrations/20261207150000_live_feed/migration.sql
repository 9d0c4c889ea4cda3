-- CreateTable
CREATE TABLE "LiveEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "userId" INTEGER,
    "topic" TEXT NOT NULL
);

-- The change feed is written by triggers, inside the writer's own transaction: the web app sees a
-- change exactly when it is committed, whichever process or code path made it.
CREATE TRIGGER "live_order_insert" AFTER INSERT ON "Order"
BEGIN
    INSERT INTO "LiveEvent" ("userId", "topic") VALUES (NEW."userId", 'orders');
END;

CREATE TRIGGER "live_order_update" AFTER UPDATE ON "Order"
BEGIN
    INSERT INTO "LiveEvent" ("userId", "topic") VALUES (NEW."userId", 'orders');
END;

CREATE TRIGGER "live_notification_insert" AFTER INSERT ON "Notification"
BEGIN
    INSERT INTO "LiveEvent" ("userId", "topic") VALUES (NEW."userId", 'notifications');
END;

CREATE TRIGGER "live_notification_update" AFTER UPDATE ON "Notification"
BEGIN
    INSERT INTO "LiveEvent" ("userId", "topic") VALUES (NEW."userId", 'notifications');
END;

-- A worker cycle ends with its heartbeat row: one broadcast event, and the feed keeps its newest
-- 10,000 rows.
CREATE TRIGGER "live_cycle" AFTER INSERT ON "WorkerHeartbeat"
BEGIN
    INSERT INTO "LiveEvent" ("userId", "topic") VALUES (NULL, 'cycle');
    DELETE FROM "LiveEvent" WHERE "id" <= (SELECT MAX("id") FROM "LiveEvent") - 10000;
END;
