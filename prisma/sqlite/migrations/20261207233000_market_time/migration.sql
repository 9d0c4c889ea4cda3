-- Market time of orders and notifications (issue 16 defect 2): the market clock when the row was written.
-- Existing rows get their createdAt (in real use the market clock is the wall clock).
ALTER TABLE "Order" ADD COLUMN "marketAt" DATETIME;
ALTER TABLE "Notification" ADD COLUMN "marketAt" DATETIME;
UPDATE "Order" SET "marketAt" = "createdAt" WHERE "marketAt" IS NULL;
UPDATE "Notification" SET "marketAt" = "createdAt" WHERE "marketAt" IS NULL;
CREATE INDEX "Order_userId_marketAt_idx" ON "Order"("userId", "marketAt");
