-- AlterTable
ALTER TABLE "MonitoredStock" ADD COLUMN     "entryWindowEndMin" INTEGER,
ADD COLUMN     "entryWindowStartMin" INTEGER,
ADD COLUMN     "validTradingDays" INTEGER,
ADD COLUMN     "validUntilDay" TEXT;

