-- AlterTable
ALTER TABLE "MonitoredStock" ADD COLUMN "entryWindowEndMin" INTEGER;
ALTER TABLE "MonitoredStock" ADD COLUMN "entryWindowStartMin" INTEGER;
ALTER TABLE "MonitoredStock" ADD COLUMN "validTradingDays" INTEGER;
ALTER TABLE "MonitoredStock" ADD COLUMN "validUntilDay" TEXT;

