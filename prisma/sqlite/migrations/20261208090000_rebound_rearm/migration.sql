-- Rebound entry and re-arm policy (issue 14), additive
ALTER TABLE "MonitoredStock" ADD COLUMN "entryTrigger" TEXT NOT NULL DEFAULT 'ZONE';
ALTER TABLE "MonitoredStock" ADD COLUMN "reboundBp" INTEGER;
ALTER TABLE "MonitoredStock" ADD COLUMN "reboundTicks" INTEGER;
ALTER TABLE "MonitoredStock" ADD COLUMN "rearmPolicy" TEXT NOT NULL DEFAULT 'CLOSE';
ALTER TABLE "MonitoredStock" ADD COLUMN "rearmCooldownMin" INTEGER;
