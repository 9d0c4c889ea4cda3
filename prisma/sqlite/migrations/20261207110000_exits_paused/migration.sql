-- AlterTable
ALTER TABLE "MonitoredStock" ADD COLUMN "exitsPausedAt" DATETIME;
ALTER TABLE "MonitoredStock" ADD COLUMN "exitsPausedWhy" TEXT;

