-- CreateTable
CREATE TABLE "User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'USER',
    "locale" TEXT NOT NULL DEFAULT 'zh',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "MonitoredStock" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "userId" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "activeKey" TEXT,
    "entryLowMilli" INTEGER NOT NULL,
    "entryHighMilli" INTEGER NOT NULL,
    "takeProfitMilli" INTEGER NOT NULL,
    "stopLossMilli" INTEGER NOT NULL,
    "trailingStopBp" INTEGER,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "notes" TEXT,
    "state" TEXT NOT NULL DEFAULT 'WATCHING',
    "episode" INTEGER NOT NULL DEFAULT 1,
    "stateChangedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "highestSinceEntryMilli" INTEGER,
    "positionQty" INTEGER NOT NULL DEFAULT 0,
    "positionSellableQty" INTEGER NOT NULL DEFAULT 0,
    "positionCostMilli" INTEGER,
    "triggerMemo" JSONB,
    "lastSignalKind" TEXT,
    "lastSignalAt" DATETIME,
    "version" INTEGER NOT NULL DEFAULT 0,
    "archivedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "MonitoredStock_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "QuantConfig" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "stockId" INTEGER NOT NULL,
    "autoTrade" BOOLEAN NOT NULL DEFAULT false,
    "maxPositionBp" INTEGER NOT NULL DEFAULT 2000,
    "autoStopLoss" BOOLEAN NOT NULL DEFAULT true,
    "autoTakeProfit" BOOLEAN NOT NULL DEFAULT true,
    "minTradeAmountYuan" INTEGER NOT NULL DEFAULT 5000,
    "entryPriceMode" TEXT NOT NULL DEFAULT 'BEST_OPPOSITE',
    "entryOffsetTicks" INTEGER NOT NULL DEFAULT 0,
    "exitPriceMode" TEXT NOT NULL DEFAULT 'BEST_OPPOSITE',
    "exitOffsetTicks" INTEGER NOT NULL DEFAULT 0,
    "stopLossPriceMode" TEXT NOT NULL DEFAULT 'BEST_OPPOSITE',
    "stopLossOffsetTicks" INTEGER NOT NULL DEFAULT 3,
    "unfilledTimeoutSec" INTEGER NOT NULL DEFAULT 120,
    "maxReprices" INTEGER NOT NULL DEFAULT 2,
    "allowAuctions" BOOLEAN NOT NULL DEFAULT false,
    "antiSpikeCount" INTEGER NOT NULL DEFAULT 1,
    "hysteresisBp" INTEGER NOT NULL DEFAULT 50,
    "renotifyCooldownSec" INTEGER NOT NULL DEFAULT 600,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "QuantConfig_stockId_fkey" FOREIGN KEY ("stockId") REFERENCES "MonitoredStock" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "TriggerEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "stockId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "episode" INTEGER NOT NULL,
    "priceMilli" INTEGER NOT NULL,
    "levelMilli" INTEGER NOT NULL,
    "quoteTime" DATETIME NOT NULL,
    "autoTrade" BOOLEAN NOT NULL,
    "outcome" TEXT NOT NULL DEFAULT 'PENDING',
    "reason" TEXT,
    "fencingToken" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "TriggerEvent_stockId_fkey" FOREIGN KEY ("stockId") REFERENCES "MonitoredStock" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Order" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "clientOrderId" TEXT NOT NULL,
    "triggerEventId" INTEGER NOT NULL,
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "activeKey" INTEGER,
    "stockId" INTEGER NOT NULL,
    "userId" INTEGER NOT NULL,
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
    "terminalAt" DATETIME,
    "deadlineAt" DATETIME,
    "reconcileCount" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Order_triggerEventId_fkey" FOREIGN KEY ("triggerEventId") REFERENCES "TriggerEvent" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Order_stockId_fkey" FOREIGN KEY ("stockId") REFERENCES "MonitoredStock" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Order_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Fill" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "orderId" INTEGER NOT NULL,
    "tradedId" TEXT NOT NULL,
    "priceMilli" INTEGER NOT NULL,
    "quantity" INTEGER NOT NULL,
    "amountMilli" BIGINT NOT NULL,
    "realizedPnlMilli" BIGINT,
    "tradedAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Fill_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "userId" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "severity" TEXT NOT NULL DEFAULT 'INFO',
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "params" JSONB,
    "stockId" INTEGER,
    "orderId" INTEGER,
    "triggerEventId" INTEGER,
    "dedupeKey" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "readAt" DATETIME,
    CONSTRAINT "Notification_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Notification_stockId_fkey" FOREIGN KEY ("stockId") REFERENCES "MonitoredStock" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Notification_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Notification_triggerEventId_fkey" FOREIGN KEY ("triggerEventId") REFERENCES "TriggerEvent" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "NotificationChannel" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "userId" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "config" JSONB NOT NULL,
    "secretsEnc" TEXT,
    "events" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "NotificationChannel_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "NotificationDelivery" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "notificationId" INTEGER NOT NULL,
    "channelId" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" DATETIME,
    "lastError" TEXT,
    "deliveredAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "NotificationDelivery_notificationId_fkey" FOREIGN KEY ("notificationId") REFERENCES "Notification" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "NotificationDelivery_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "NotificationChannel" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "actorId" INTEGER,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "entityId" TEXT,
    "before" JSONB,
    "after" JSONB,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AuditLog_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" JSONB NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "updatedBy" TEXT
);

-- CreateTable
CREATE TABLE "WorkerLease" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "holderId" TEXT NOT NULL,
    "fencingToken" INTEGER NOT NULL DEFAULT 1,
    "acquiredAt" DATETIME NOT NULL,
    "renewedAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "WorkerHeartbeat" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "workerId" TEXT NOT NULL,
    "cycleStartedAt" DATETIME NOT NULL,
    "cycleEndedAt" DATETIME,
    "durationMs" INTEGER,
    "marketPhase" TEXT NOT NULL,
    "clockMode" TEXT NOT NULL,
    "marketTime" DATETIME NOT NULL,
    "monitors" INTEGER NOT NULL DEFAULT 0,
    "quotesFetched" INTEGER NOT NULL DEFAULT 0,
    "signals" INTEGER NOT NULL DEFAULT 0,
    "ordersSent" INTEGER NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "errorText" TEXT
);

-- CreateTable
CREATE TABLE "ServiceHealth" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "status" TEXT NOT NULL,
    "lastOkAt" DATETIME,
    "lastErrorAt" DATETIME,
    "lastError" TEXT,
    "details" JSONB,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "QuoteSnapshot" (
    "code" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "lastMilli" INTEGER NOT NULL,
    "prevCloseMilli" INTEGER NOT NULL,
    "openMilli" INTEGER NOT NULL,
    "highMilli" INTEGER NOT NULL,
    "lowMilli" INTEGER NOT NULL,
    "volume" BIGINT NOT NULL,
    "amountMilli" BIGINT NOT NULL,
    "bids" JSONB NOT NULL,
    "asks" JSONB NOT NULL,
    "limitUpMilli" INTEGER,
    "limitDownMilli" INTEGER,
    "suspended" BOOLEAN NOT NULL,
    "source" TEXT NOT NULL,
    "quoteTime" DATETIME NOT NULL,
    "fetchedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "QuoteBar" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "code" TEXT NOT NULL,
    "minute" DATETIME NOT NULL,
    "openMilli" INTEGER NOT NULL,
    "highMilli" INTEGER NOT NULL,
    "lowMilli" INTEGER NOT NULL,
    "closeMilli" INTEGER NOT NULL
);

-- CreateTable
CREATE TABLE "AccountSnapshot" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT DEFAULT 1,
    "totalAssetMilli" BIGINT NOT NULL,
    "cashMilli" BIGINT NOT NULL,
    "frozenCashMilli" BIGINT NOT NULL,
    "marketValueMilli" BIGINT NOT NULL,
    "takenAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PositionSnapshot" (
    "code" TEXT NOT NULL PRIMARY KEY,
    "volume" INTEGER NOT NULL,
    "canUseVolume" INTEGER NOT NULL,
    "avgPriceMilli" INTEGER NOT NULL,
    "openPriceMilli" INTEGER NOT NULL,
    "marketValueMilli" BIGINT NOT NULL,
    "takenAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "MonitoredStock_activeKey_key" ON "MonitoredStock"("activeKey");

-- CreateIndex
CREATE INDEX "MonitoredStock_userId_archivedAt_idx" ON "MonitoredStock"("userId", "archivedAt");

-- CreateIndex
CREATE INDEX "MonitoredStock_enabled_archivedAt_idx" ON "MonitoredStock"("enabled", "archivedAt");

-- CreateIndex
CREATE INDEX "MonitoredStock_code_idx" ON "MonitoredStock"("code");

-- CreateIndex
CREATE UNIQUE INDEX "QuantConfig_stockId_key" ON "QuantConfig"("stockId");

-- CreateIndex
CREATE INDEX "TriggerEvent_outcome_idx" ON "TriggerEvent"("outcome");

-- CreateIndex
CREATE UNIQUE INDEX "TriggerEvent_stockId_kind_episode_key" ON "TriggerEvent"("stockId", "kind", "episode");

-- CreateIndex
CREATE UNIQUE INDEX "Order_clientOrderId_key" ON "Order"("clientOrderId");

-- CreateIndex
CREATE UNIQUE INDEX "Order_activeKey_key" ON "Order"("activeKey");

-- CreateIndex
CREATE INDEX "Order_status_idx" ON "Order"("status");

-- CreateIndex
CREATE INDEX "Order_userId_createdAt_idx" ON "Order"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "Order_stockId_createdAt_idx" ON "Order"("stockId", "createdAt");

-- CreateIndex
CREATE INDEX "Order_bridgeOrderId_idx" ON "Order"("bridgeOrderId");

-- CreateIndex
CREATE UNIQUE INDEX "Order_triggerEventId_attempt_key" ON "Order"("triggerEventId", "attempt");

-- CreateIndex
CREATE INDEX "Fill_tradedAt_idx" ON "Fill"("tradedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Fill_orderId_tradedId_key" ON "Fill"("orderId", "tradedId");

-- CreateIndex
CREATE UNIQUE INDEX "Notification_dedupeKey_key" ON "Notification"("dedupeKey");

-- CreateIndex
CREATE INDEX "Notification_userId_createdAt_idx" ON "Notification"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "Notification_userId_readAt_idx" ON "Notification"("userId", "readAt");

-- CreateIndex
CREATE INDEX "Notification_userId_type_idx" ON "Notification"("userId", "type");

-- CreateIndex
CREATE INDEX "Notification_stockId_idx" ON "Notification"("stockId");

-- CreateIndex
CREATE INDEX "NotificationChannel_userId_idx" ON "NotificationChannel"("userId");

-- CreateIndex
CREATE INDEX "NotificationDelivery_status_nextAttemptAt_idx" ON "NotificationDelivery"("status", "nextAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "NotificationDelivery_notificationId_channelId_key" ON "NotificationDelivery"("notificationId", "channelId");

-- CreateIndex
CREATE INDEX "AuditLog_entity_entityId_idx" ON "AuditLog"("entity", "entityId");

-- CreateIndex
CREATE INDEX "AuditLog_createdAt_idx" ON "AuditLog"("createdAt");

-- CreateIndex
CREATE INDEX "WorkerHeartbeat_cycleStartedAt_idx" ON "WorkerHeartbeat"("cycleStartedAt");

-- CreateIndex
CREATE UNIQUE INDEX "QuoteBar_code_minute_key" ON "QuoteBar"("code", "minute");

