-- CreateTable
CREATE TABLE "Source" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "title" TEXT NOT NULL,
    "publisher" TEXT NOT NULL,
    "url" TEXT,
    "publishedAt" DATETIME NOT NULL,
    "publishedAtInferred" BOOLEAN NOT NULL DEFAULT false,
    "text" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "disclaimer" TEXT,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Actor" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "role" TEXT,
    "country" TEXT,
    "governmentId" TEXT,
    CONSTRAINT "Actor_governmentId_fkey" FOREIGN KEY ("governmentId") REFERENCES "Actor" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Scenario" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "title" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Threat" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "scenarioId" TEXT NOT NULL,
    "issuerId" TEXT NOT NULL,
    "targetId" TEXT,
    "measure" TEXT NOT NULL,
    "covers" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "magnitudeText" TEXT,
    "magnitudePercent" REAL,
    "isAdditional" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Threat_scenarioId_fkey" FOREIGN KEY ("scenarioId") REFERENCES "Scenario" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Threat_issuerId_fkey" FOREIGN KEY ("issuerId") REFERENCES "Actor" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Threat_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Actor" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Condition" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "threatId" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "awaitedActorId" TEXT,
    "effect" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Condition_threatId_fkey" FOREIGN KEY ("threatId") REFERENCES "Threat" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Condition_awaitedActorId_fkey" FOREIGN KEY ("awaitedActorId") REFERENCES "Actor" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Deadline" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "dueAt" DATETIME,
    "precision" TEXT NOT NULL,
    "wording" TEXT NOT NULL,
    "threatId" TEXT,
    "conditionId" TEXT,
    "scenarioId" TEXT,
    "extendsId" TEXT,
    "status" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Deadline_threatId_fkey" FOREIGN KEY ("threatId") REFERENCES "Threat" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Deadline_conditionId_fkey" FOREIGN KEY ("conditionId") REFERENCES "Condition" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Deadline_scenarioId_fkey" FOREIGN KEY ("scenarioId") REFERENCES "Scenario" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Deadline_extendsId_fkey" FOREIGN KEY ("extendsId") REFERENCES "Deadline" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Event" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "scenarioId" TEXT,
    "title" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "startsAt" DATETIME,
    "endsAt" DATETIME,
    "precision" TEXT NOT NULL,
    "wording" TEXT NOT NULL,
    "place" TEXT,
    "country" TEXT,
    "status" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Event_scenarioId_fkey" FOREIGN KEY ("scenarioId") REFERENCES "Scenario" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "EventParticipant" (
    "eventId" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,

    PRIMARY KEY ("eventId", "actorId"),
    CONSTRAINT "EventParticipant_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "Event" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "EventParticipant_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "Actor" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Topic" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "Evidence" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sourceId" TEXT NOT NULL,
    "quote" TEXT NOT NULL,
    "startOffset" INTEGER NOT NULL,
    "endOffset" INTEGER NOT NULL,
    "recordKind" TEXT NOT NULL,
    "recordId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "Evidence_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "StatusChange" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "recordKind" TEXT NOT NULL,
    "recordId" TEXT NOT NULL,
    "from" TEXT,
    "to" TEXT NOT NULL,
    "effectiveAt" DATETIME NOT NULL,
    "recordedAt" DATETIME NOT NULL,
    "reason" TEXT NOT NULL,
    "by" TEXT NOT NULL,
    "correction" BOOLEAN NOT NULL DEFAULT false,
    "causedBySeq" INTEGER,
    "sourceId" TEXT,
    "evidenceId" TEXT,
    CONSTRAINT "StatusChange_causedBySeq_fkey" FOREIGN KEY ("causedBySeq") REFERENCES "StatusChange" ("seq") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "StatusChange_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "StatusChange_evidenceId_fkey" FOREIGN KEY ("evidenceId") REFERENCES "Evidence" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "_ScenarioToTopic" (
    "A" TEXT NOT NULL,
    "B" TEXT NOT NULL,
    CONSTRAINT "_ScenarioToTopic_A_fkey" FOREIGN KEY ("A") REFERENCES "Scenario" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "_ScenarioToTopic_B_fkey" FOREIGN KEY ("B") REFERENCES "Topic" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "_ThreatToTopic" (
    "A" TEXT NOT NULL,
    "B" TEXT NOT NULL,
    CONSTRAINT "_ThreatToTopic_A_fkey" FOREIGN KEY ("A") REFERENCES "Threat" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "_ThreatToTopic_B_fkey" FOREIGN KEY ("B") REFERENCES "Topic" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "_EventToTopic" (
    "A" TEXT NOT NULL,
    "B" TEXT NOT NULL,
    CONSTRAINT "_EventToTopic_A_fkey" FOREIGN KEY ("A") REFERENCES "Event" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "_EventToTopic_B_fkey" FOREIGN KEY ("B") REFERENCES "Topic" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Source_sha256_key" ON "Source"("sha256");

-- CreateIndex
CREATE UNIQUE INDEX "Actor_name_key" ON "Actor"("name");

-- CreateIndex
CREATE INDEX "Actor_governmentId_idx" ON "Actor"("governmentId");

-- CreateIndex
CREATE UNIQUE INDEX "Scenario_title_key" ON "Scenario"("title");

-- CreateIndex
CREATE INDEX "Scenario_status_idx" ON "Scenario"("status");

-- CreateIndex
CREATE INDEX "Threat_status_idx" ON "Threat"("status");

-- CreateIndex
CREATE INDEX "Threat_scenarioId_idx" ON "Threat"("scenarioId");

-- CreateIndex
CREATE INDEX "Threat_issuerId_idx" ON "Threat"("issuerId");

-- CreateIndex
CREATE INDEX "Threat_targetId_idx" ON "Threat"("targetId");

-- CreateIndex
CREATE INDEX "Condition_threatId_idx" ON "Condition"("threatId");

-- CreateIndex
CREATE INDEX "Condition_status_idx" ON "Condition"("status");

-- CreateIndex
CREATE UNIQUE INDEX "Deadline_extendsId_key" ON "Deadline"("extendsId");

-- CreateIndex
CREATE INDEX "Deadline_status_dueAt_idx" ON "Deadline"("status", "dueAt");

-- CreateIndex
CREATE INDEX "Deadline_dueAt_idx" ON "Deadline"("dueAt");

-- CreateIndex
CREATE INDEX "Deadline_threatId_idx" ON "Deadline"("threatId");

-- CreateIndex
CREATE INDEX "Deadline_conditionId_idx" ON "Deadline"("conditionId");

-- CreateIndex
CREATE INDEX "Deadline_scenarioId_idx" ON "Deadline"("scenarioId");

-- CreateIndex
CREATE INDEX "Event_status_startsAt_idx" ON "Event"("status", "startsAt");

-- CreateIndex
CREATE INDEX "Event_scenarioId_idx" ON "Event"("scenarioId");

-- CreateIndex
CREATE INDEX "EventParticipant_actorId_idx" ON "EventParticipant"("actorId");

-- CreateIndex
CREATE UNIQUE INDEX "Topic_name_key" ON "Topic"("name");

-- CreateIndex
CREATE INDEX "Evidence_recordKind_recordId_idx" ON "Evidence"("recordKind", "recordId");

-- CreateIndex
CREATE UNIQUE INDEX "Evidence_sourceId_recordKind_recordId_startOffset_endOffset_key" ON "Evidence"("sourceId", "recordKind", "recordId", "startOffset", "endOffset");

-- CreateIndex
CREATE INDEX "StatusChange_recordKind_recordId_effectiveAt_seq_idx" ON "StatusChange"("recordKind", "recordId", "effectiveAt", "seq");

-- CreateIndex
CREATE INDEX "StatusChange_recordKind_effectiveAt_idx" ON "StatusChange"("recordKind", "effectiveAt");

-- CreateIndex
CREATE INDEX "StatusChange_recordedAt_idx" ON "StatusChange"("recordedAt");

-- CreateIndex
CREATE UNIQUE INDEX "_ScenarioToTopic_AB_unique" ON "_ScenarioToTopic"("A", "B");

-- CreateIndex
CREATE INDEX "_ScenarioToTopic_B_index" ON "_ScenarioToTopic"("B");

-- CreateIndex
CREATE UNIQUE INDEX "_ThreatToTopic_AB_unique" ON "_ThreatToTopic"("A", "B");

-- CreateIndex
CREATE INDEX "_ThreatToTopic_B_index" ON "_ThreatToTopic"("B");

-- CreateIndex
CREATE UNIQUE INDEX "_EventToTopic_AB_unique" ON "_EventToTopic"("A", "B");

-- CreateIndex
CREATE INDEX "_EventToTopic_B_index" ON "_EventToTopic"("B");


-- History is append-only: the database itself refuses to edit or delete it.
CREATE TRIGGER "StatusChange_no_update" BEFORE UPDATE ON "StatusChange"
BEGIN SELECT RAISE(ABORT, 'StatusChange is append-only'); END;
CREATE TRIGGER "StatusChange_no_delete" BEFORE DELETE ON "StatusChange"
BEGIN SELECT RAISE(ABORT, 'StatusChange is append-only'); END;
