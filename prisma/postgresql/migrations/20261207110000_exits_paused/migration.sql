-- AlterTable
ALTER TABLE "MonitoredStock" ADD COLUMN     "exitsPausedAt" TIMESTAMP(3),
ADD COLUMN     "exitsPausedWhy" TEXT;

