-- Agreements between actors and the commitments each party owes under them (issue 10, items 4-5).
-- Written by hand: Prisma would rebuild the Deadline table to add two nullable foreign keys,
-- which would drop the expression indexes added by raw SQL in earlier migrations.

-- CreateTable
CREATE TABLE "Agreement" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "title" TEXT NOT NULL,
    "summary" TEXT,
    "status" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "statusUntil" DATETIME,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AgreementParty" (
    "agreementId" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,

    PRIMARY KEY ("agreementId", "actorId"),
    CONSTRAINT "AgreementParty_agreementId_fkey" FOREIGN KEY ("agreementId") REFERENCES "Agreement" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AgreementParty_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "Actor" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Commitment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "agreementId" TEXT NOT NULL,
    "partyId" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "statusUntil" DATETIME,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Commitment_agreementId_fkey" FOREIGN KEY ("agreementId") REFERENCES "Agreement" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Commitment_partyId_fkey" FOREIGN KEY ("partyId") REFERENCES "Actor" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CommitmentThreat" (
    "commitmentId" TEXT NOT NULL,
    "threatId" TEXT NOT NULL,

    PRIMARY KEY ("commitmentId", "threatId"),
    CONSTRAINT "CommitmentThreat_commitmentId_fkey" FOREIGN KEY ("commitmentId") REFERENCES "Commitment" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "CommitmentThreat_threatId_fkey" FOREIGN KEY ("threatId") REFERENCES "Threat" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

CREATE INDEX "Agreement_status_idx" ON "Agreement"("status");
CREATE INDEX "AgreementParty_actorId_idx" ON "AgreementParty"("actorId");
CREATE INDEX "Commitment_agreementId_idx" ON "Commitment"("agreementId");
CREATE INDEX "Commitment_partyId_idx" ON "Commitment"("partyId");
CREATE INDEX "Commitment_status_idx" ON "Commitment"("status");
CREATE INDEX "CommitmentThreat_threatId_idx" ON "CommitmentThreat"("threatId");

-- A deadline may belong to an agreement (its expiry) or to a commitment (its due date).
ALTER TABLE "Deadline" ADD COLUMN "agreementId" TEXT CONSTRAINT "Deadline_agreementId_fkey" REFERENCES "Agreement" ("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "Deadline" ADD COLUMN "commitmentId" TEXT CONSTRAINT "Deadline_commitmentId_fkey" REFERENCES "Commitment" ("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "Deadline_agreementId_idx" ON "Deadline"("agreementId");
CREATE INDEX "Deadline_commitmentId_idx" ON "Deadline"("commitmentId");

-- A condition belongs to a threat or to an agreement: threatId becomes nullable. SQLite cannot
-- alter a column, so the Condition table alone is rebuilt, keeping every row and its indexes.
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Condition" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "threatId" TEXT,
    "agreementId" TEXT,
    "description" TEXT NOT NULL,
    "awaitedActorId" TEXT,
    "effect" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "statusUntil" DATETIME,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Condition_threatId_fkey" FOREIGN KEY ("threatId") REFERENCES "Threat" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Condition_agreementId_fkey" FOREIGN KEY ("agreementId") REFERENCES "Agreement" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Condition_awaitedActorId_fkey" FOREIGN KEY ("awaitedActorId") REFERENCES "Actor" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Condition" ("id", "threatId", "description", "awaitedActorId", "effect", "status", "version", "statusUntil", "createdAt", "updatedAt")
SELECT "id", "threatId", "description", "awaitedActorId", "effect", "status", "version", "statusUntil", "createdAt", "updatedAt" FROM "Condition";
DROP TABLE "Condition";
ALTER TABLE "new_Condition" RENAME TO "Condition";
CREATE INDEX "Condition_threatId_idx" ON "Condition"("threatId");
CREATE INDEX "Condition_agreementId_idx" ON "Condition"("agreementId");
CREATE INDEX "Condition_status_idx" ON "Condition"("status");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
