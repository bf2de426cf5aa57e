-- Threat terms (issue 10): rate, authority and several targets (a join table) replace
-- magnitudePercent and targetId; a threat may re-issue an ended one. Threat is rebuilt (its
-- targetId carries a foreign key); StatusChange is not touched.
-- CreateTable
CREATE TABLE "ThreatTarget" (
    "threatId" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "initial" BOOLEAN NOT NULL DEFAULT true,

    PRIMARY KEY ("threatId", "actorId"),
    CONSTRAINT "ThreatTarget_threatId_fkey" FOREIGN KEY ("threatId") REFERENCES "Threat" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "ThreatTarget_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "Actor" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Threat" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "scenarioId" TEXT NOT NULL,
    "issuerId" TEXT NOT NULL,
    "measure" TEXT NOT NULL,
    "covers" TEXT NOT NULL,
    "ratePercent" REAL,
    "authority" TEXT,
    "summary" TEXT NOT NULL,
    "magnitudeText" TEXT,
    "isAdditional" BOOLEAN NOT NULL DEFAULT false,
    "reissuesId" TEXT,
    "status" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "statusUntil" DATETIME,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Threat_scenarioId_fkey" FOREIGN KEY ("scenarioId") REFERENCES "Scenario" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Threat_issuerId_fkey" FOREIGN KEY ("issuerId") REFERENCES "Actor" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Threat_reissuesId_fkey" FOREIGN KEY ("reissuesId") REFERENCES "Threat" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
-- Existing data carried over: the stated percent becomes the rate, the single target a ThreatTarget row.
INSERT INTO "new_Threat" ("covers", "createdAt", "id", "isAdditional", "issuerId", "magnitudeText", "measure", "scenarioId", "status", "statusUntil", "summary", "updatedAt", "version", "ratePercent") SELECT "covers", "createdAt", "id", "isAdditional", "issuerId", "magnitudeText", "measure", "scenarioId", "status", "statusUntil", "summary", "updatedAt", "version", "magnitudePercent" FROM "Threat";
INSERT INTO "ThreatTarget" ("threatId", "actorId", "initial") SELECT "id", "targetId", true FROM "Threat" WHERE "targetId" IS NOT NULL;
DROP TABLE "Threat";
ALTER TABLE "new_Threat" RENAME TO "Threat";
CREATE INDEX "Threat_status_idx" ON "Threat"("status");
CREATE INDEX "Threat_scenarioId_idx" ON "Threat"("scenarioId");
CREATE INDEX "Threat_issuerId_idx" ON "Threat"("issuerId");
CREATE INDEX "Threat_authority_idx" ON "Threat"("authority");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "ThreatTarget_actorId_idx" ON "ThreatTarget"("actorId");

