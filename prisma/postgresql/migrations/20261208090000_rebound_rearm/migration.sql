-- Rebound entry and re-arm policy (issue 14), additive
ALTER TABLE "MonitoredStock" ADD COLUMN     "entryTrigger" TEXT NOT NULL DEFAULT 'ZONE',
ADD COLUMN     "reboundBp" INTEGER,
ADD COLUMN     "reboundTicks" INTEGER,
ADD COLUMN     "rearmPolicy" TEXT NOT NULL DEFAULT 'CLOSE',
ADD COLUMN     "rearmCooldownMin" INTEGER;
