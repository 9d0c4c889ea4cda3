-- CreateTable
CREATE TABLE "LiveEvent" (
    "id" SERIAL NOT NULL,
    "userId" INTEGER,
    "topic" TEXT NOT NULL,

    CONSTRAINT "LiveEvent_pkey" PRIMARY KEY ("id")
);

-- The change feed is written by statement triggers, inside the writer's own transaction (one row
-- per changed user and topic per statement), and announced with NOTIFY, which PostgreSQL delivers
-- to the web app's LISTEN connection when the transaction commits.
-- The function bodies write each semicolon as \073: Prisma's migrate deploy (adapter-pg) splits a script
-- on every semicolon, even inside a string.
CREATE FUNCTION "dingpan_live_rows"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
    INSERT INTO "LiveEvent" ("userId", "topic") SELECT DISTINCT "userId", TG_ARGV[0] FROM "live_new_rows"\073
    IF FOUND THEN
        PERFORM pg_notify(''dingpan_live'', '''')\073
    END IF\073
    RETURN NULL\073
END
';

CREATE TRIGGER "live_order_insert" AFTER INSERT ON "Order" REFERENCING NEW TABLE AS "live_new_rows"
    FOR EACH STATEMENT EXECUTE FUNCTION "dingpan_live_rows"('orders');
CREATE TRIGGER "live_order_update" AFTER UPDATE ON "Order" REFERENCING NEW TABLE AS "live_new_rows"
    FOR EACH STATEMENT EXECUTE FUNCTION "dingpan_live_rows"('orders');
CREATE TRIGGER "live_notification_insert" AFTER INSERT ON "Notification" REFERENCING NEW TABLE AS "live_new_rows"
    FOR EACH STATEMENT EXECUTE FUNCTION "dingpan_live_rows"('notifications');
CREATE TRIGGER "live_notification_update" AFTER UPDATE ON "Notification" REFERENCING NEW TABLE AS "live_new_rows"
    FOR EACH STATEMENT EXECUTE FUNCTION "dingpan_live_rows"('notifications');

-- A worker cycle ends with its heartbeat row: one broadcast event, and the feed keeps its newest
-- 10,000 rows.
CREATE FUNCTION "dingpan_live_cycle"() RETURNS trigger LANGUAGE plpgsql AS E'
DECLARE
    new_id INTEGER\073
BEGIN
    INSERT INTO "LiveEvent" ("userId", "topic") VALUES (NULL, ''cycle'') RETURNING "id" INTO new_id\073
    DELETE FROM "LiveEvent" WHERE "id" <= new_id - 10000\073
    PERFORM pg_notify(''dingpan_live'', '''')\073
    RETURN NULL\073
END
';

CREATE TRIGGER "live_cycle" AFTER INSERT ON "WorkerHeartbeat"
    FOR EACH STATEMENT EXECUTE FUNCTION "dingpan_live_cycle"();
