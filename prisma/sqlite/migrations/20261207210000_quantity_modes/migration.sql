-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_QuantConfig" (
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
    "entryQtyMode" TEXT NOT NULL DEFAULT 'PCT_ASSETS',
    "entryQty" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "QuantConfig_stockId_fkey" FOREIGN KEY ("stockId") REFERENCES "MonitoredStock" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_QuantConfig" ("allowAuctions", "antiSpikeCount", "autoStopLoss", "autoTakeProfit", "autoTrade", "entryOffsetTicks", "entryPriceMode", "exitOffsetTicks", "exitPriceMode", "hysteresisBp", "id", "maxPositionBp", "maxReprices", "minTradeAmountYuan", "renotifyCooldownSec", "stockId", "stopLossOffsetTicks", "stopLossPriceMode", "unfilledTimeoutSec", "updatedAt") SELECT "allowAuctions", "antiSpikeCount", "autoStopLoss", "autoTakeProfit", "autoTrade", "entryOffsetTicks", "entryPriceMode", "exitOffsetTicks", "exitPriceMode", "hysteresisBp", "id", "maxPositionBp", "maxReprices", "minTradeAmountYuan", "renotifyCooldownSec", "stockId", "stopLossOffsetTicks", "stopLossPriceMode", "unfilledTimeoutSec", "updatedAt" FROM "QuantConfig";
DROP TABLE "QuantConfig";
ALTER TABLE "new_QuantConfig" RENAME TO "QuantConfig";
CREATE UNIQUE INDEX "QuantConfig_stockId_key" ON "QuantConfig"("stockId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

