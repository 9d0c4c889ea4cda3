-- Staged exits, exit quantity modes and the breakeven stop (issue 14), additive
ALTER TABLE "MonitoredStock" ADD COLUMN     "takeProfit2Milli" INTEGER,
ADD COLUMN     "takeProfit2Bp" INTEGER,
ADD COLUMN     "takeProfit2ShareBp" INTEGER,
ADD COLUMN     "takeProfit3Milli" INTEGER,
ADD COLUMN     "takeProfit3Bp" INTEGER,
ADD COLUMN     "takeProfit3ShareBp" INTEGER,
ADD COLUMN     "breakevenStop" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "breakevenGainBp" INTEGER;
ALTER TABLE "QuantConfig" ADD COLUMN     "exitQty" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "exitQtyMode" TEXT NOT NULL DEFAULT 'ALL';
