-- AlterTable
ALTER TABLE "MonitoredStock" ADD COLUMN     "entryCostMilli" INTEGER,
ADD COLUMN     "stopLossBp" INTEGER,
ADD COLUMN     "takeProfitBp" INTEGER;

