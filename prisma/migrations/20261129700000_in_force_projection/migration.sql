-- CreateTable
CREATE TABLE "InForcePeriod" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "threatId" TEXT NOT NULL,
    "issuerId" TEXT NOT NULL,
    "measure" TEXT NOT NULL,
    "targetId" TEXT,
    "listed" BOOLEAN NOT NULL,
    "ratePercent" REAL,
    "authority" TEXT,
    "covers" TEXT NOT NULL,
    "targetIds" TEXT NOT NULL,
    "since" DATETIME NOT NULL,
    "until" DATETIME,
    "untilStatus" TEXT,
    "effectiveFrom" DATETIME NOT NULL,
    "effectiveUntil" DATETIME,
    "knownFrom" DATETIME NOT NULL,
    "knownUntil" DATETIME,
    CONSTRAINT "InForcePeriod_threatId_fkey" FOREIGN KEY ("threatId") REFERENCES "Threat" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "InForceChange" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "threatId" TEXT NOT NULL,
    "issuerId" TEXT NOT NULL,
    "measure" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "change" TEXT NOT NULL,
    "to" TEXT,
    "values" TEXT,
    "reason" TEXT NOT NULL,
    "effectiveAt" DATETIME NOT NULL,
    "knownFrom" DATETIME NOT NULL,
    "knownUntil" DATETIME,
    CONSTRAINT "InForceChange_threatId_fkey" FOREIGN KEY ("threatId") REFERENCES "Threat" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "InForcePeriod_threatId_listed_effectiveFrom_effectiveUntil_knownFrom_knownUntil_idx" ON "InForcePeriod"("threatId", "listed", "effectiveFrom", "effectiveUntil", "knownFrom", "knownUntil");

-- CreateIndex
CREATE INDEX "InForcePeriod_issuerId_threatId_idx" ON "InForcePeriod"("issuerId", "threatId");

-- CreateIndex
CREATE INDEX "InForcePeriod_measure_threatId_idx" ON "InForcePeriod"("measure", "threatId");

-- CreateIndex
CREATE INDEX "InForcePeriod_targetId_threatId_idx" ON "InForcePeriod"("targetId", "threatId");

-- CreateIndex
CREATE INDEX "InForcePeriod_issuerId_targetId_measure_ratePercent_threatId_effectiveFrom_effectiveUntil_knownFrom_knownUntil_authority_idx" ON "InForcePeriod"("issuerId", "targetId", "measure", "ratePercent" DESC, "threatId", "effectiveFrom", "effectiveUntil", "knownFrom", "knownUntil", "authority");

-- CreateIndex
CREATE INDEX "InForceChange_effectiveAt_threatId_seq_knownFrom_knownUntil_issuerId_measure_idx" ON "InForceChange"("effectiveAt", "threatId", "seq", "knownFrom", "knownUntil", "issuerId", "measure");

-- CreateIndex
CREATE INDEX "InForceChange_threatId_idx" ON "InForceChange"("threatId");

