-- Staged exits, exit quantity modes and the breakeven stop (issue 14), additive
ALTER TABLE "MonitoredStock" ADD COLUMN "takeProfit2Milli" INTEGER;
ALTER TABLE "MonitoredStock" ADD COLUMN "takeProfit2Bp" INTEGER;
ALTER TABLE "MonitoredStock" ADD COLUMN "takeProfit2ShareBp" INTEGER;
ALTER TABLE "MonitoredStock" ADD COLUMN "takeProfit3Milli" INTEGER;
ALTER TABLE "MonitoredStock" ADD COLUMN "takeProfit3Bp" INTEGER;
ALTER TABLE "MonitoredStock" ADD COLUMN "takeProfit3ShareBp" INTEGER;
ALTER TABLE "MonitoredStock" ADD COLUMN "breakevenStop" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "MonitoredStock" ADD COLUMN "breakevenGainBp" INTEGER;
ALTER TABLE "QuantConfig" ADD COLUMN "exitQtyMode" TEXT NOT NULL DEFAULT 'ALL';
ALTER TABLE "QuantConfig" ADD COLUMN "exitQty" INTEGER NOT NULL DEFAULT 0;
