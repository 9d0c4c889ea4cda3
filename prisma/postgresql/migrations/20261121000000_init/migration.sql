-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('ADMIN', 'USER');

-- CreateEnum
CREATE TYPE "MonitorState" AS ENUM ('WATCHING', 'ENTRY_PENDING', 'HOLDING', 'EXIT_PENDING', 'CLOSED', 'PAUSED');

-- CreateEnum
CREATE TYPE "TriggerKind" AS ENUM ('ENTRY', 'TAKE_PROFIT', 'STOP_LOSS', 'TRAILING_STOP');

-- CreateEnum
CREATE TYPE "TriggerOutcome" AS ENUM ('PENDING', 'ORDERED', 'NOTIFIED', 'DEFERRED', 'RISK_REJECTED', 'KILL_SWITCH', 'NOT_SIZED', 'FILLED', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "PriceMode" AS ENUM ('TRIGGER_PRICE', 'LATEST_OFFSET', 'BEST_OPPOSITE', 'MARKET');

-- CreateEnum
CREATE TYPE "OrderSide" AS ENUM ('BUY', 'SELL');

-- CreateEnum
CREATE TYPE "OrderPriceType" AS ENUM ('LIMIT', 'MARKET');

-- CreateEnum
CREATE TYPE "OrderStatus" AS ENUM ('PENDING', 'SENDING', 'SUBMITTED', 'PARTIALLY_FILLED', 'CANCELLING', 'FILLED', 'CANCELLED', 'REJECTED', 'FAILED', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "Severity" AS ENUM ('INFO', 'WARNING', 'CRITICAL');

-- CreateEnum
CREATE TYPE "ChannelType" AS ENUM ('DINGTALK', 'FEISHU', 'WECOM', 'SERVERCHAN', 'BARK', 'EMAIL', 'WEBHOOK');

-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('PENDING', 'SENDING', 'DELIVERED', 'FAILED', 'SKIPPED');

-- CreateTable
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'USER',
    "locale" TEXT NOT NULL DEFAULT 'zh',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MonitoredStock" (
    "id" SERIAL NOT NULL,
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
    "state" "MonitorState" NOT NULL DEFAULT 'WATCHING',
    "episode" INTEGER NOT NULL DEFAULT 1,
    "stateChangedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "highestSinceEntryMilli" INTEGER,
    "positionQty" INTEGER NOT NULL DEFAULT 0,
    "positionSellableQty" INTEGER NOT NULL DEFAULT 0,
    "positionCostMilli" INTEGER,
    "triggerMemo" JSONB,
    "lastSignalKind" "TriggerKind",
    "lastSignalAt" TIMESTAMP(3),
    "version" INTEGER NOT NULL DEFAULT 0,
    "archivedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MonitoredStock_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "QuantConfig" (
    "id" SERIAL NOT NULL,
    "stockId" INTEGER NOT NULL,
    "autoTrade" BOOLEAN NOT NULL DEFAULT false,
    "maxPositionBp" INTEGER NOT NULL DEFAULT 2000,
    "autoStopLoss" BOOLEAN NOT NULL DEFAULT true,
    "autoTakeProfit" BOOLEAN NOT NULL DEFAULT true,
    "minTradeAmountYuan" INTEGER NOT NULL DEFAULT 5000,
    "entryPriceMode" "PriceMode" NOT NULL DEFAULT 'BEST_OPPOSITE',
    "entryOffsetTicks" INTEGER NOT NULL DEFAULT 0,
    "exitPriceMode" "PriceMode" NOT NULL DEFAULT 'BEST_OPPOSITE',
    "exitOffsetTicks" INTEGER NOT NULL DEFAULT 0,
    "stopLossPriceMode" "PriceMode" NOT NULL DEFAULT 'BEST_OPPOSITE',
    "stopLossOffsetTicks" INTEGER NOT NULL DEFAULT 3,
    "unfilledTimeoutSec" INTEGER NOT NULL DEFAULT 120,
    "maxReprices" INTEGER NOT NULL DEFAULT 2,
    "allowAuctions" BOOLEAN NOT NULL DEFAULT false,
    "antiSpikeCount" INTEGER NOT NULL DEFAULT 1,
    "hysteresisBp" INTEGER NOT NULL DEFAULT 50,
    "renotifyCooldownSec" INTEGER NOT NULL DEFAULT 600,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "QuantConfig_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TriggerEvent" (
    "id" SERIAL NOT NULL,
    "stockId" INTEGER NOT NULL,
    "kind" "TriggerKind" NOT NULL,
    "episode" INTEGER NOT NULL,
    "priceMilli" INTEGER NOT NULL,
    "levelMilli" INTEGER NOT NULL,
    "quoteTime" TIMESTAMP(3) NOT NULL,
    "autoTrade" BOOLEAN NOT NULL,
    "outcome" "TriggerOutcome" NOT NULL DEFAULT 'PENDING',
    "reason" TEXT,
    "fencingToken" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TriggerEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Order" (
    "id" SERIAL NOT NULL,
    "clientOrderId" TEXT NOT NULL,
    "triggerEventId" INTEGER NOT NULL,
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "activeKey" INTEGER,
    "stockId" INTEGER NOT NULL,
    "userId" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "side" "OrderSide" NOT NULL,
    "quantity" INTEGER NOT NULL,
    "priceType" "OrderPriceType" NOT NULL,
    "xtPriceType" INTEGER NOT NULL,
    "limitPriceMilli" INTEGER,
    "estFeesMilli" BIGINT NOT NULL DEFAULT 0,
    "status" "OrderStatus" NOT NULL DEFAULT 'PENDING',
    "bridgeOrderId" TEXT,
    "orderSysId" TEXT,
    "xtStatus" INTEGER,
    "statusMsg" TEXT,
    "errorMessage" TEXT,
    "filledQuantity" INTEGER NOT NULL DEFAULT 0,
    "filledAmountMilli" BIGINT NOT NULL DEFAULT 0,
    "avgFillPriceMilli" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sendingAt" TIMESTAMP(3),
    "submittedAt" TIMESTAMP(3),
    "lastCheckedAt" TIMESTAMP(3),
    "cancelRequestedAt" TIMESTAMP(3),
    "terminalAt" TIMESTAMP(3),
    "deadlineAt" TIMESTAMP(3),
    "reconcileCount" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Order_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Fill" (
    "id" SERIAL NOT NULL,
    "orderId" INTEGER NOT NULL,
    "tradedId" TEXT NOT NULL,
    "priceMilli" INTEGER NOT NULL,
    "quantity" INTEGER NOT NULL,
    "amountMilli" BIGINT NOT NULL,
    "realizedPnlMilli" BIGINT,
    "tradedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Fill_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" SERIAL NOT NULL,
    "userId" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "severity" "Severity" NOT NULL DEFAULT 'INFO',
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "params" JSONB,
    "stockId" INTEGER,
    "orderId" INTEGER,
    "triggerEventId" INTEGER,
    "dedupeKey" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "readAt" TIMESTAMP(3),

    CONSTRAINT "Notification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationChannel" (
    "id" SERIAL NOT NULL,
    "userId" INTEGER NOT NULL,
    "type" "ChannelType" NOT NULL,
    "name" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "config" JSONB NOT NULL,
    "secretsEnc" TEXT,
    "events" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NotificationChannel_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationDelivery" (
    "id" SERIAL NOT NULL,
    "notificationId" INTEGER NOT NULL,
    "channelId" INTEGER NOT NULL,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "deliveredAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NotificationDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" SERIAL NOT NULL,
    "actorId" INTEGER,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "entityId" TEXT,
    "before" JSONB,
    "after" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedBy" TEXT,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "WorkerLease" (
    "name" TEXT NOT NULL,
    "holderId" TEXT NOT NULL,
    "fencingToken" INTEGER NOT NULL DEFAULT 1,
    "acquiredAt" TIMESTAMP(3) NOT NULL,
    "renewedAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WorkerLease_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "WorkerHeartbeat" (
    "id" SERIAL NOT NULL,
    "workerId" TEXT NOT NULL,
    "cycleStartedAt" TIMESTAMP(3) NOT NULL,
    "cycleEndedAt" TIMESTAMP(3),
    "durationMs" INTEGER,
    "marketPhase" TEXT NOT NULL,
    "clockMode" TEXT NOT NULL,
    "marketTime" TIMESTAMP(3) NOT NULL,
    "monitors" INTEGER NOT NULL DEFAULT 0,
    "quotesFetched" INTEGER NOT NULL DEFAULT 0,
    "signals" INTEGER NOT NULL DEFAULT 0,
    "ordersSent" INTEGER NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "errorText" TEXT,

    CONSTRAINT "WorkerHeartbeat_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ServiceHealth" (
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "lastOkAt" TIMESTAMP(3),
    "lastErrorAt" TIMESTAMP(3),
    "lastError" TEXT,
    "details" JSONB,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ServiceHealth_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "QuoteSnapshot" (
    "code" TEXT NOT NULL,
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
    "quoteTime" TIMESTAMP(3) NOT NULL,
    "fetchedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "QuoteSnapshot_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "QuoteBar" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "minute" TIMESTAMP(3) NOT NULL,
    "openMilli" INTEGER NOT NULL,
    "highMilli" INTEGER NOT NULL,
    "lowMilli" INTEGER NOT NULL,
    "closeMilli" INTEGER NOT NULL,

    CONSTRAINT "QuoteBar_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccountSnapshot" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "totalAssetMilli" BIGINT NOT NULL,
    "cashMilli" BIGINT NOT NULL,
    "frozenCashMilli" BIGINT NOT NULL,
    "marketValueMilli" BIGINT NOT NULL,
    "takenAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AccountSnapshot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PositionSnapshot" (
    "code" TEXT NOT NULL,
    "volume" INTEGER NOT NULL,
    "canUseVolume" INTEGER NOT NULL,
    "avgPriceMilli" INTEGER NOT NULL,
    "openPriceMilli" INTEGER NOT NULL,
    "marketValueMilli" BIGINT NOT NULL,
    "takenAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PositionSnapshot_pkey" PRIMARY KEY ("code")
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

-- AddForeignKey
ALTER TABLE "MonitoredStock" ADD CONSTRAINT "MonitoredStock_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QuantConfig" ADD CONSTRAINT "QuantConfig_stockId_fkey" FOREIGN KEY ("stockId") REFERENCES "MonitoredStock"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TriggerEvent" ADD CONSTRAINT "TriggerEvent_stockId_fkey" FOREIGN KEY ("stockId") REFERENCES "MonitoredStock"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Order" ADD CONSTRAINT "Order_triggerEventId_fkey" FOREIGN KEY ("triggerEventId") REFERENCES "TriggerEvent"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Order" ADD CONSTRAINT "Order_stockId_fkey" FOREIGN KEY ("stockId") REFERENCES "MonitoredStock"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Order" ADD CONSTRAINT "Order_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Fill" ADD CONSTRAINT "Fill_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_stockId_fkey" FOREIGN KEY ("stockId") REFERENCES "MonitoredStock"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_triggerEventId_fkey" FOREIGN KEY ("triggerEventId") REFERENCES "TriggerEvent"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationChannel" ADD CONSTRAINT "NotificationChannel_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationDelivery" ADD CONSTRAINT "NotificationDelivery_notificationId_fkey" FOREIGN KEY ("notificationId") REFERENCES "Notification"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationDelivery" ADD CONSTRAINT "NotificationDelivery_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "NotificationChannel"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditLog" ADD CONSTRAINT "AuditLog_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

