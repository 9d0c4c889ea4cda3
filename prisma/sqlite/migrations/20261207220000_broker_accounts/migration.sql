-- AlterTable
ALTER TABLE "Notification" ADD COLUMN "brokerAccountId" INTEGER;

-- CreateTable
CREATE TABLE "BrokerAccount" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
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
    "killSwitchAt" DATETIME,
    "killSwitchWhy" TEXT,
    "disabledAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "BrokerAccount_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "BrokerAccountShare" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "accountId" INTEGER NOT NULL,
    "userId" INTEGER NOT NULL,
    "canTrade" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "BrokerAccountShare_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "BrokerAccount" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "BrokerAccountShare_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);


-- The default account of the install, from the broker setting when there is one (it overrode the
-- environment), else a placeholder that BROKER / MINIQMT_* fill in at the next start.
INSERT INTO "BrokerAccount" ("name", "kind", "ownerId", "defaultKey", "sharedWithAll", "source", "host", "port", "qmtAccountId", "tokenEnc", "tokenHint", "timeoutMs", "updatedAt")
SELECT
    'Default',
    COALESCE((SELECT json_extract("value", '$.mode') FROM "Setting" WHERE "key" = 'broker.config'), 'paper'),
    (SELECT MIN("id") FROM "User" WHERE "role" = 'ADMIN'),
    'default',
    true,
    CASE WHEN EXISTS (SELECT 1 FROM "Setting" WHERE "key" = 'broker.config') THEN 'settings' ELSE 'env' END,
    COALESCE((SELECT json_extract("value", '$.host') FROM "Setting" WHERE "key" = 'broker.config'), ''),
    COALESCE((SELECT json_extract("value", '$.port') FROM "Setting" WHERE "key" = 'broker.config'), 8000),
    COALESCE((SELECT json_extract("value", '$.accountId') FROM "Setting" WHERE "key" = 'broker.config'), ''),
    (SELECT json_extract("value", '$.tokenEnc') FROM "Setting" WHERE "key" = 'broker.config'),
    (SELECT json_extract("value", '$.tokenHint') FROM "Setting" WHERE "key" = 'broker.config'),
    COALESCE((SELECT json_extract("value", '$.timeoutMs') FROM "Setting" WHERE "key" = 'broker.config'), 8000),
    CURRENT_TIMESTAMP;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_MonitoredStock" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "userId" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "activeKey" TEXT,
    "brokerAccountId" INTEGER,
    "positionKey" TEXT,
    "entryLowMilli" INTEGER NOT NULL,
    "entryHighMilli" INTEGER NOT NULL,
    "takeProfitMilli" INTEGER NOT NULL,
    "stopLossMilli" INTEGER NOT NULL,
    "trailingStopBp" INTEGER,
    "takeProfitBp" INTEGER,
    "stopLossBp" INTEGER,
    "entryCostMilli" INTEGER,
    "validUntilDay" TEXT,
    "validTradingDays" INTEGER,
    "entryWindowStartMin" INTEGER,
    "entryWindowEndMin" INTEGER,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "notes" TEXT,
    "state" TEXT NOT NULL DEFAULT 'WATCHING',
    "episode" INTEGER NOT NULL DEFAULT 1,
    "stateChangedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "highestSinceEntryMilli" INTEGER,
    "positionQty" INTEGER NOT NULL DEFAULT 0,
    "positionSellableQty" INTEGER NOT NULL DEFAULT 0,
    "positionCostMilli" INTEGER,
    "exitsPausedAt" DATETIME,
    "exitsPausedWhy" TEXT,
    "triggerMemo" JSONB,
    "lastSignalKind" TEXT,
    "lastSignalAt" DATETIME,
    "version" INTEGER NOT NULL DEFAULT 0,
    "archivedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "MonitoredStock_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "MonitoredStock_brokerAccountId_fkey" FOREIGN KEY ("brokerAccountId") REFERENCES "BrokerAccount" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_MonitoredStock" ("brokerAccountId", "activeKey", "archivedAt", "code", "createdAt", "enabled", "entryCostMilli", "entryHighMilli", "entryLowMilli", "entryWindowEndMin", "entryWindowStartMin", "episode", "exitsPausedAt", "exitsPausedWhy", "highestSinceEntryMilli", "id", "lastSignalAt", "lastSignalKind", "name", "notes", "positionCostMilli", "positionQty", "positionSellableQty", "state", "stateChangedAt", "stopLossBp", "stopLossMilli", "takeProfitBp", "takeProfitMilli", "trailingStopBp", "triggerMemo", "updatedAt", "userId", "validTradingDays", "validUntilDay", "version") SELECT (SELECT "id" FROM "BrokerAccount" WHERE "defaultKey" = 'default'), "activeKey", "archivedAt", "code", "createdAt", "enabled", "entryCostMilli", "entryHighMilli", "entryLowMilli", "entryWindowEndMin", "entryWindowStartMin", "episode", "exitsPausedAt", "exitsPausedWhy", "highestSinceEntryMilli", "id", "lastSignalAt", "lastSignalKind", "name", "notes", "positionCostMilli", "positionQty", "positionSellableQty", "state", "stateChangedAt", "stopLossBp", "stopLossMilli", "takeProfitBp", "takeProfitMilli", "trailingStopBp", "triggerMemo", "updatedAt", "userId", "validTradingDays", "validUntilDay", "version" FROM "MonitoredStock";
DROP TABLE "MonitoredStock";
ALTER TABLE "new_MonitoredStock" RENAME TO "MonitoredStock";
CREATE UNIQUE INDEX "MonitoredStock_activeKey_key" ON "MonitoredStock"("activeKey");
CREATE UNIQUE INDEX "MonitoredStock_positionKey_key" ON "MonitoredStock"("positionKey");
CREATE INDEX "MonitoredStock_userId_archivedAt_idx" ON "MonitoredStock"("userId", "archivedAt");
CREATE INDEX "MonitoredStock_enabled_archivedAt_idx" ON "MonitoredStock"("enabled", "archivedAt");
CREATE INDEX "MonitoredStock_code_idx" ON "MonitoredStock"("code");
CREATE INDEX "MonitoredStock_brokerAccountId_idx" ON "MonitoredStock"("brokerAccountId");
CREATE TABLE "new_Order" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "clientOrderId" TEXT NOT NULL,
    "triggerEventId" INTEGER NOT NULL,
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "activeKey" INTEGER,
    "stockId" INTEGER NOT NULL,
    "userId" INTEGER NOT NULL,
    "brokerAccountId" INTEGER,
    "code" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "priceType" TEXT NOT NULL,
    "xtPriceType" INTEGER NOT NULL,
    "limitPriceMilli" INTEGER,
    "estFeesMilli" BIGINT NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "bridgeOrderId" TEXT,
    "orderSysId" TEXT,
    "xtStatus" INTEGER,
    "statusMsg" TEXT,
    "errorMessage" TEXT,
    "filledQuantity" INTEGER NOT NULL DEFAULT 0,
    "filledAmountMilli" BIGINT NOT NULL DEFAULT 0,
    "avgFillPriceMilli" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sendingAt" DATETIME,
    "submittedAt" DATETIME,
    "lastCheckedAt" DATETIME,
    "cancelRequestedAt" DATETIME,
    "cancelledBy" TEXT,
    "terminalAt" DATETIME,
    "deadlineAt" DATETIME,
    "reconcileCount" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Order_triggerEventId_fkey" FOREIGN KEY ("triggerEventId") REFERENCES "TriggerEvent" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Order_stockId_fkey" FOREIGN KEY ("stockId") REFERENCES "MonitoredStock" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Order_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Order_brokerAccountId_fkey" FOREIGN KEY ("brokerAccountId") REFERENCES "BrokerAccount" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Order" ("brokerAccountId", "activeKey", "attempt", "avgFillPriceMilli", "bridgeOrderId", "cancelRequestedAt", "cancelledBy", "clientOrderId", "code", "createdAt", "deadlineAt", "errorMessage", "estFeesMilli", "filledAmountMilli", "filledQuantity", "id", "lastCheckedAt", "limitPriceMilli", "orderSysId", "priceType", "quantity", "reconcileCount", "sendingAt", "side", "status", "statusMsg", "stockId", "submittedAt", "terminalAt", "triggerEventId", "updatedAt", "userId", "xtPriceType", "xtStatus") SELECT (SELECT "id" FROM "BrokerAccount" WHERE "defaultKey" = 'default'), "activeKey", "attempt", "avgFillPriceMilli", "bridgeOrderId", "cancelRequestedAt", "cancelledBy", "clientOrderId", "code", "createdAt", "deadlineAt", "errorMessage", "estFeesMilli", "filledAmountMilli", "filledQuantity", "id", "lastCheckedAt", "limitPriceMilli", "orderSysId", "priceType", "quantity", "reconcileCount", "sendingAt", "side", "status", "statusMsg", "stockId", "submittedAt", "terminalAt", "triggerEventId", "updatedAt", "userId", "xtPriceType", "xtStatus" FROM "Order";
DROP TABLE "Order";
ALTER TABLE "new_Order" RENAME TO "Order";
CREATE UNIQUE INDEX "Order_clientOrderId_key" ON "Order"("clientOrderId");
CREATE UNIQUE INDEX "Order_activeKey_key" ON "Order"("activeKey");
CREATE INDEX "Order_status_idx" ON "Order"("status");
CREATE INDEX "Order_userId_createdAt_idx" ON "Order"("userId", "createdAt");
CREATE INDEX "Order_stockId_createdAt_idx" ON "Order"("stockId", "createdAt");
CREATE INDEX "Order_bridgeOrderId_idx" ON "Order"("bridgeOrderId");
CREATE INDEX "Order_brokerAccountId_status_idx" ON "Order"("brokerAccountId", "status");
CREATE UNIQUE INDEX "Order_triggerEventId_attempt_key" ON "Order"("triggerEventId", "attempt");
CREATE TABLE "new_AccountSnapshot" (
    "brokerAccountId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "totalAssetMilli" BIGINT NOT NULL,
    "cashMilli" BIGINT NOT NULL,
    "frozenCashMilli" BIGINT NOT NULL,
    "marketValueMilli" BIGINT NOT NULL,
    "takenAt" DATETIME NOT NULL
);
INSERT INTO "new_AccountSnapshot" ("brokerAccountId", "cashMilli", "frozenCashMilli", "marketValueMilli", "takenAt", "totalAssetMilli") SELECT (SELECT "id" FROM "BrokerAccount" WHERE "defaultKey" = 'default'), "cashMilli", "frozenCashMilli", "marketValueMilli", "takenAt", "totalAssetMilli" FROM "AccountSnapshot";
DROP TABLE "AccountSnapshot";
ALTER TABLE "new_AccountSnapshot" RENAME TO "AccountSnapshot";
CREATE TABLE "new_PositionSnapshot" (
    "brokerAccountId" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "volume" INTEGER NOT NULL,
    "canUseVolume" INTEGER NOT NULL,
    "avgPriceMilli" INTEGER NOT NULL,
    "openPriceMilli" INTEGER NOT NULL,
    "marketValueMilli" BIGINT NOT NULL,
    "takenAt" DATETIME NOT NULL,

    PRIMARY KEY ("brokerAccountId", "code")
);
INSERT INTO "new_PositionSnapshot" ("brokerAccountId", "avgPriceMilli", "canUseVolume", "code", "marketValueMilli", "openPriceMilli", "takenAt", "volume") SELECT (SELECT "id" FROM "BrokerAccount" WHERE "defaultKey" = 'default'), "avgPriceMilli", "canUseVolume", "code", "marketValueMilli", "openPriceMilli", "takenAt", "volume" FROM "PositionSnapshot";
DROP TABLE "PositionSnapshot";
ALTER TABLE "new_PositionSnapshot" RENAME TO "PositionSnapshot";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "BrokerAccount_defaultKey_key" ON "BrokerAccount"("defaultKey");

-- CreateIndex
CREATE INDEX "BrokerAccount_ownerId_idx" ON "BrokerAccount"("ownerId");

-- CreateIndex
CREATE INDEX "BrokerAccountShare_userId_idx" ON "BrokerAccountShare"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "BrokerAccountShare_accountId_userId_key" ON "BrokerAccountShare"("accountId", "userId");

-- CreateIndex
CREATE INDEX "Notification_brokerAccountId_idx" ON "Notification"("brokerAccountId");


-- Auto-trading monitors own the shares of their position on the account: accountId:code while live.
-- Where two live auto-trading monitors share a code, the older keeps the key (the newer is left
-- without it and is refused auto-trade on its next edit, never silently switched off).
UPDATE "MonitoredStock" SET "positionKey" = "brokerAccountId" || ':' || "code"
WHERE "archivedAt" IS NULL AND "brokerAccountId" IS NOT NULL
  AND EXISTS (SELECT 1 FROM "QuantConfig" q WHERE q."stockId" = "MonitoredStock"."id" AND q."autoTrade" = true)
  AND "id" = (SELECT MIN(m2."id") FROM "MonitoredStock" m2 JOIN "QuantConfig" q2 ON q2."stockId" = m2."id"
              WHERE m2."archivedAt" IS NULL AND q2."autoTrade" = true AND m2."code" = "MonitoredStock"."code");
