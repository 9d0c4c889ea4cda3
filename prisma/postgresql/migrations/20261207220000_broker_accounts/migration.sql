-- CreateTable
CREATE TABLE "BrokerAccount" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "simulated" BOOLEAN NOT NULL DEFAULT false,
    "ownerId" INTEGER,
    "defaultKey" TEXT,
    "sharedWithAll" BOOLEAN NOT NULL DEFAULT false,
    "source" TEXT NOT NULL DEFAULT 'settings',
    "host" TEXT NOT NULL DEFAULT '',
    "port" INTEGER NOT NULL DEFAULT 8000,
    "qmtAccountId" TEXT NOT NULL DEFAULT '',
    "tokenEnc" TEXT,
    "tokenHint" TEXT,
    "timeoutMs" INTEGER NOT NULL DEFAULT 8000,
    "risk" JSONB,
    "killSwitchOn" BOOLEAN NOT NULL DEFAULT false,
    "killSwitchAt" TIMESTAMP(3),
    "killSwitchWhy" TEXT,
    "disabledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BrokerAccount_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BrokerAccountShare" (
    "id" SERIAL NOT NULL,
    "accountId" INTEGER NOT NULL,
    "userId" INTEGER NOT NULL,
    "canTrade" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BrokerAccountShare_pkey" PRIMARY KEY ("id")
);

-- The default account of the install, from the broker setting when there is one (it overrode the
-- environment), else a placeholder that BROKER / MINIQMT_* fill in at the next start.
INSERT INTO "BrokerAccount" ("name", "kind", "ownerId", "defaultKey", "sharedWithAll", "source", "host", "port", "qmtAccountId", "tokenEnc", "tokenHint", "timeoutMs", "updatedAt")
SELECT
    'Default',
    COALESCE((SELECT "value"->>'mode' FROM "Setting" WHERE "key" = 'broker.config'), 'paper'),
    (SELECT MIN("id") FROM "User" WHERE "role" = 'ADMIN'),
    'default',
    true,
    CASE WHEN EXISTS (SELECT 1 FROM "Setting" WHERE "key" = 'broker.config') THEN 'settings' ELSE 'env' END,
    COALESCE((SELECT "value"->>'host' FROM "Setting" WHERE "key" = 'broker.config'), ''),
    COALESCE((SELECT ("value"->>'port')::int FROM "Setting" WHERE "key" = 'broker.config'), 8000),
    COALESCE((SELECT "value"->>'accountId' FROM "Setting" WHERE "key" = 'broker.config'), ''),
    (SELECT "value"->>'tokenEnc' FROM "Setting" WHERE "key" = 'broker.config'),
    (SELECT "value"->>'tokenHint' FROM "Setting" WHERE "key" = 'broker.config'),
    COALESCE((SELECT ("value"->>'timeoutMs')::int FROM "Setting" WHERE "key" = 'broker.config'), 8000),
    CURRENT_TIMESTAMP;

-- AlterTable
ALTER TABLE "MonitoredStock" ADD COLUMN     "brokerAccountId" INTEGER,
ADD COLUMN     "positionKey" TEXT;
UPDATE "MonitoredStock" SET "brokerAccountId" = (SELECT "id" FROM "BrokerAccount" WHERE "defaultKey" = 'default');

-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "brokerAccountId" INTEGER;
UPDATE "Order" SET "brokerAccountId" = (SELECT "id" FROM "BrokerAccount" WHERE "defaultKey" = 'default');

-- AlterTable
ALTER TABLE "Notification" ADD COLUMN     "brokerAccountId" INTEGER;

-- AlterTable: the snapshots are per account, and the one there was belongs to the default account.
ALTER TABLE "AccountSnapshot" ADD COLUMN "brokerAccountId" INTEGER;
UPDATE "AccountSnapshot" SET "brokerAccountId" = (SELECT "id" FROM "BrokerAccount" WHERE "defaultKey" = 'default');
ALTER TABLE "AccountSnapshot" DROP CONSTRAINT "AccountSnapshot_pkey",
DROP COLUMN "id",
ALTER COLUMN "brokerAccountId" SET NOT NULL,
ADD CONSTRAINT "AccountSnapshot_pkey" PRIMARY KEY ("brokerAccountId");

ALTER TABLE "PositionSnapshot" ADD COLUMN "brokerAccountId" INTEGER;
UPDATE "PositionSnapshot" SET "brokerAccountId" = (SELECT "id" FROM "BrokerAccount" WHERE "defaultKey" = 'default');
ALTER TABLE "PositionSnapshot" DROP CONSTRAINT "PositionSnapshot_pkey",
ALTER COLUMN "brokerAccountId" SET NOT NULL,
ADD CONSTRAINT "PositionSnapshot_pkey" PRIMARY KEY ("brokerAccountId", "code");

-- Auto-trading monitors own the shares of their position on the account: accountId:code while live.
-- Where two live auto-trading monitors share a code, the older keeps the key.
UPDATE "MonitoredStock" SET "positionKey" = "brokerAccountId" || ':' || "code"
WHERE "archivedAt" IS NULL AND "brokerAccountId" IS NOT NULL
  AND EXISTS (SELECT 1 FROM "QuantConfig" q WHERE q."stockId" = "MonitoredStock"."id" AND q."autoTrade" = true)
  AND "id" = (SELECT MIN(m2."id") FROM "MonitoredStock" m2 JOIN "QuantConfig" q2 ON q2."stockId" = m2."id"
              WHERE m2."archivedAt" IS NULL AND q2."autoTrade" = true AND m2."code" = "MonitoredStock"."code");

-- CreateIndex
CREATE UNIQUE INDEX "BrokerAccount_defaultKey_key" ON "BrokerAccount"("defaultKey");

-- CreateIndex
CREATE INDEX "BrokerAccount_ownerId_idx" ON "BrokerAccount"("ownerId");

-- CreateIndex
CREATE INDEX "BrokerAccountShare_userId_idx" ON "BrokerAccountShare"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "BrokerAccountShare_accountId_userId_key" ON "BrokerAccountShare"("accountId", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "MonitoredStock_positionKey_key" ON "MonitoredStock"("positionKey");

-- CreateIndex
CREATE INDEX "MonitoredStock_brokerAccountId_idx" ON "MonitoredStock"("brokerAccountId");

-- CreateIndex
CREATE INDEX "Order_brokerAccountId_status_idx" ON "Order"("brokerAccountId", "status");

-- CreateIndex
CREATE INDEX "Notification_brokerAccountId_idx" ON "Notification"("brokerAccountId");

-- AddForeignKey
ALTER TABLE "MonitoredStock" ADD CONSTRAINT "MonitoredStock_brokerAccountId_fkey" FOREIGN KEY ("brokerAccountId") REFERENCES "BrokerAccount"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Order" ADD CONSTRAINT "Order_brokerAccountId_fkey" FOREIGN KEY ("brokerAccountId") REFERENCES "BrokerAccount"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BrokerAccount" ADD CONSTRAINT "BrokerAccount_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BrokerAccountShare" ADD CONSTRAINT "BrokerAccountShare_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "BrokerAccount"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BrokerAccountShare" ADD CONSTRAINT "BrokerAccountShare_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

