-- A live monitor is unique per user, broker account and code (issue 13): activeKey becomes
-- userId:accountId:code, so one user may watch the same code on two accounts. The old values
-- userId:code hold no second colon, so old and new values never collide while rewriting.
UPDATE "MonitoredStock"
SET "activeKey" = CAST("userId" AS TEXT) || ':' || CAST(COALESCE("brokerAccountId", (SELECT "id" FROM "BrokerAccount" WHERE "defaultKey" = 'default')) AS TEXT) || ':' || "code"
WHERE "activeKey" IS NOT NULL;
