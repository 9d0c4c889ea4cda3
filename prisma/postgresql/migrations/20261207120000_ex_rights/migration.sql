-- CreateEnum
CREATE TYPE "ExRightsStatus" AS ENUM ('PENDING', 'ACCEPTED', 'DISMISSED');

-- CreateTable
CREATE TABLE "ExRightsAdjustment" (
    "id" SERIAL NOT NULL,
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
    "status" "ExRightsStatus" NOT NULL DEFAULT 'PENDING',
    "decidedAt" TIMESTAMP(3),
    "decidedBy" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ExRightsAdjustment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ExRightsAdjustment_status_stockId_idx" ON "ExRightsAdjustment"("status", "stockId");

-- CreateIndex
CREATE UNIQUE INDEX "ExRightsAdjustment_stockId_day_key" ON "ExRightsAdjustment"("stockId", "day");

-- AddForeignKey
ALTER TABLE "ExRightsAdjustment" ADD CONSTRAINT "ExRightsAdjustment_stockId_fkey" FOREIGN KEY ("stockId") REFERENCES "MonitoredStock"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

