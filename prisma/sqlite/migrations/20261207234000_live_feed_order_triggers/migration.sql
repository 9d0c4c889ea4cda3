-- The broker-accounts migration rebuilt the Order table (SQLite adds a foreign key only by copying
-- the table), and dropping the old table dropped its live-feed triggers: order changes stopped
-- reaching open pages at once. They are made again here, as in 20261207150000_live_feed.
CREATE TRIGGER IF NOT EXISTS "live_order_insert" AFTER INSERT ON "Order"
BEGIN
    INSERT INTO "LiveEvent" ("userId", "topic") VALUES (NEW."userId", 'orders');
END;

CREATE TRIGGER IF NOT EXISTS "live_order_update" AFTER UPDATE ON "Order"
BEGIN
    INSERT INTO "LiveEvent" ("userId", "topic") VALUES (NEW."userId", 'orders');
END;
