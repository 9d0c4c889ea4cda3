-- CreateTable
CREATE TABLE "ExRightsAdjustment" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "stockId" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "storedCloseMilli" INTEGER NOT NULL,
    "referenceMilli" INTEGER NOT NULL,
    "factorPpm" INTEGER NOT NULL,
    "limitUpMilli" INTEGER,
    "limitDownMilli" INTEGER,
    "oldEntryLowMilli" INTEGER NOT NULL,
    "oldEntryHighMilli" INTEGER NOT NULL,
    "oldTakeProfitMilli" INTEGER NOT NULL,
    "oldStopLossMilli" INTEGER NOT NULL,
    "oldHighestMilli" INTEGER,
    "newEntryLowMilli" INTEGER NOT NULL,
    "newEntryHighMilli" INTEGER NOT NULL,
    "newTakeProfitMilli" INTEGER NOT NULL,
    "newStopLossMilli" INTEGER NOT NULL,
    "newHighestMilli" INTEGER,
    "positionQtyBefore" INTEGER NOT NULL,
    "positionQtyAfter" INTEGER,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "decidedAt" DATETIME,
    "decidedBy" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ExRightsAdjustment_stockId_fkey" FOREIGN KEY ("stockId") REFERENCES "MonitoredStock" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "ExRightsAdjustment_status_stockId_idx" ON "ExRightsAdjustment"("status", "stockId");

-- CreateIndex
CREATE UNIQUE INDEX "ExRightsAdjustment_stockId_day_key" ON "ExRightsAdjustment"("stockId", "day");

