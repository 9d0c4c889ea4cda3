-- AlterTable
ALTER TABLE "MonitoredStock" ADD COLUMN "entryCostMilli" INTEGER;
ALTER TABLE "MonitoredStock" ADD COLUMN "stopLossBp" INTEGER;
ALTER TABLE "MonitoredStock" ADD COLUMN "takeProfitBp" INTEGER;

