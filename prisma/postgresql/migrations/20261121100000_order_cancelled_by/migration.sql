-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "cancelledBy" TEXT;

