import type { TrackerDatabase } from "../../src/db/client.ts";
import { toSqlDate } from "../../src/db/sql-dates.ts";

/**
 * `count` pending deadlines of one threat or scenario, due `dueAt` and stated at `effectiveAt`,
 * recorded at `recordedAt`: straight into the file in one transaction, each row and creation entry
 * as the API writes them (thousands through HTTP would take a test minutes).
 */
export function deadlinesRecordedAt(
  db: TrackerDatabase,
  o: {
    /** The owner columns: a threat, a scenario, a condition (and its threat, or alone: an agreement's), an agreement, a commitment. */
    owner:
      | { threatId: string }
      | { scenarioId: string }
      | { conditionId: string; threatId: string }
      | { conditionId: string }
      | { agreementId: string }
      | { commitmentId: string };
    count: number;
    dueAt: Date;
    effectiveAt: Date;
    recordedAt: Date;
    prefix: string;
  },
): void {
  const at = toSqlDate(o.recordedAt);
  const effective = toSqlDate(o.effectiveAt);
  const due = toSqlDate(o.dueAt);
  const owners = Object.entries(o.owner);
  const deadline = db.writer.prepare(
    `INSERT INTO "Deadline" ("id","dueAt","precision","wording",${owners.map(([c]) => `"${c}"`).join(",")},"status","version","pendingFrom","pendingKnownFrom","createdAt","updatedAt")
     VALUES (?, ?, 'day', ?, ${owners.map(() => "?").join(", ")}, 'pending', 1, ?, ?, ?, ?)`,
  );
  const entry = db.writer.prepare(
    `INSERT INTO "StatusChange" ("recordKind","recordId","from","to","effectiveAt","recordedAt","reason","by") VALUES ('deadline', ?, NULL, 'pending', ?, ?, 'recorded later', 'test')`,
  );
  db.writer.transaction(() => {
    for (let i = 0; i < o.count; i++) {
      const id = `${o.prefix}-${String(i).padStart(6, "0")}`;
      deadline.run(id, due, `${o.prefix} ${i}`, ...owners.map(([, v]) => v), effective, at, at, at);
      entry.run(id, effective, at);
    }
  })();
}

/** `count` scheduled events of a scenario starting `startsAt`, recorded at `recordedAt`, ids `${prefix}-NNNNNN`, each with its creation entry. */
export function eventsRecordedAt(db: TrackerDatabase, o: { scenarioId: string; count: number; startsAt: Date; recordedAt: Date; prefix: string }): void {
  const at = toSqlDate(o.recordedAt);
  const starts = toSqlDate(o.startsAt);
  const event = db.writer.prepare(
    `INSERT INTO "Event" ("id","scenarioId","title","kind","startsAt","endsAt","precision","wording","place","status","version","createdAt","updatedAt")
     VALUES (?, ?, ?, 'call', ?, ?, 'day', 'that day', 'Geneva', 'scheduled', 1, ?, ?)`,
  );
  const entry = db.writer.prepare(
    `INSERT INTO "StatusChange" ("recordKind","recordId","from","to","effectiveAt","recordedAt","reason","by") VALUES ('event', ?, NULL, 'scheduled', ?, ?, 'recorded later', 'test')`,
  );
  db.writer.transaction(() => {
    for (let i = 0; i < o.count; i++) {
      const id = `${o.prefix}-${String(i).padStart(6, "0")}`;
      event.run(id, o.scenarioId, `${o.prefix} ${i}`, starts, starts, at, at);
      entry.run(id, starts, at);
    }
  })();
}

/** `count` status entries of one record taking effect at `effectiveAt`, recorded at `recordedAt` (as late news would be). */
export function entriesRecordedAt(db: TrackerDatabase, o: { kind: string; id: string; to: string; count: number; effectiveAt: Date; recordedAt: Date }): void {
  const entry = db.writer.prepare(
    `INSERT INTO "StatusChange" ("recordKind","recordId","from","to","effectiveAt","recordedAt","reason","by") VALUES (?, ?, ?, ?, ?, ?, 'recorded later', 'test')`,
  );
  db.writer.transaction(() => {
    for (let i = 0; i < o.count; i++) entry.run(o.kind, o.id, o.to, o.to, toSqlDate(o.effectiveAt), toSqlDate(o.recordedAt));
  })();
}

/** `count` measures imposed by `issuerId` on `targetId`, ids `${prefix}-NNNNNN`, in force since `since` as recorded at `recordedAt`: threat rows and in-force rows. */
export function measuresRecordedAt(
  db: TrackerDatabase,
  o: { scenarioId: string; issuerId: string; targetId: string; count: number; since: Date; recordedAt: Date; prefix: string },
): void {
  const at = toSqlDate(o.recordedAt);
  const since = toSqlDate(o.since);
  const threat = db.writer.prepare(
    `INSERT INTO "Threat" ("id","scenarioId","issuerId","measure","covers","summary","ratePercent","isAdditional","status","version","createdAt","updatedAt")
     VALUES (?, ?, ?, 'tariff', 'goods', ?, 10, 1, 'imposed', 1, ?, ?)`,
  );
  const target = db.writer.prepare(`INSERT INTO "ThreatTarget" ("threatId","actorId","initial") VALUES (?, ?, 1)`);
  const period = db.writer.prepare(
    `INSERT INTO "InForcePeriod" ("threatId","issuerId","measure","targetId","listed","ratePercent","covers","targetIds","since","effectiveFrom","knownFrom")
     VALUES (?, ?, 'tariff', ?, ?, 10, 'goods', ?, ?, ?, ?)`,
  );
  db.writer.transaction(() => {
    for (let i = 0; i < o.count; i++) {
      const id = `${o.prefix}-${String(i).padStart(6, "0")}`;
      threat.run(id, o.scenarioId, o.issuerId, `${o.prefix} ${i}`, at, at);
      target.run(id, o.targetId);
      // One target: one row, which lists the measure (as the projection writes it).
      period.run(id, o.issuerId, o.targetId, 1, JSON.stringify([o.targetId]), since, since, at);
    }
  })();
}

/**
 * `count` upcoming changes of one new measure (threat id `prefix`, imposed by `issuerId`), the
 * n-th taking effect `stepMs` × n after `effectiveAt`, recorded at `recordedAt`: its threat row
 * and its in-force change rows as the projection writes scheduled suspensions (seq 1 to count).
 */
export function upcomingChangesRecordedAt(
  db: TrackerDatabase,
  o: { scenarioId: string; issuerId: string; count: number; effectiveAt: Date; stepMs: number; recordedAt: Date; prefix: string },
): void {
  const at = toSqlDate(o.recordedAt);
  const threat = db.writer.prepare(
    `INSERT INTO "Threat" ("id","scenarioId","issuerId","measure","covers","summary","ratePercent","isAdditional","status","version","createdAt","updatedAt")
     VALUES (?, ?, ?, 'tariff', 'goods', ?, 10, 1, 'imposed', 1, ?, ?)`,
  );
  const change = db.writer.prepare(
    `INSERT INTO "InForceChange" ("threatId","issuerId","measure","seq","change","to","values","reason","effectiveAt","knownFrom")
     VALUES (?, ?, 'tariff', ?, 'status', 'suspended', NULL, ?, ?, ?)`,
  );
  db.writer.transaction(() => {
    threat.run(o.prefix, o.scenarioId, o.issuerId, `${o.prefix} measure`, at, at);
    for (let i = 0; i < o.count; i++) {
      change.run(o.prefix, o.issuerId, i + 1, `${o.prefix} ${i + 1}`, toSqlDate(new Date(o.effectiveAt.getTime() + i * o.stepMs)), at);
    }
  })();
}

/** `count` open conditions of a threat or an agreement, ids `${prefix}-NNNNNN`, recorded at `recordedAt`, each with its creation entry. */
export function conditionsRecordedAt(
  db: TrackerDatabase,
  o: { owner: { threatId: string } | { agreementId: string }; count: number; recordedAt: Date; prefix: string },
): void {
  const at = toSqlDate(o.recordedAt);
  const [[column, ownerId]] = Object.entries(o.owner) as [[string, string]];
  const condition = db.writer.prepare(
    `INSERT INTO "Condition" ("id","${column}","description","effect","status","version","createdAt","updatedAt") VALUES (?, ?, ?, 'averts', 'open', 1, ?, ?)`,
  );
  const entry = db.writer.prepare(
    `INSERT INTO "StatusChange" ("recordKind","recordId","from","to","effectiveAt","recordedAt","reason","by") VALUES ('condition', ?, NULL, 'open', ?, ?, 'recorded later', 'test')`,
  );
  db.writer.transaction(() => {
    for (let i = 0; i < o.count; i++) {
      const id = `${o.prefix}-${String(i).padStart(6, "0")}`;
      condition.run(id, ownerId, `${o.prefix} ${i}`, at, at);
      entry.run(id, at, at);
    }
  })();
}

/**
 * `count` quotes of one record from source `sourceId` (made if new), at offsets `first`, `first` + 1…,
 * ids `${prefix}-NNNNNN`, recorded at `recordedAt`.
 */
export function quotesRecordedAt(
  db: TrackerDatabase,
  o: { kind: string; recordId: string; sourceId: string; count: number; first?: number; recordedAt: Date; prefix: string },
): void {
  const at = toSqlDate(o.recordedAt);
  db.writer
    .prepare(`INSERT OR IGNORE INTO "Source" ("id","title","publisher","kind","publishedAt","createdAt") VALUES (?, ?, 'Wire', 'press', ?, ?)`)
    .run(o.sourceId, o.sourceId, at, at);
  const quote = db.writer.prepare(
    `INSERT INTO "Evidence" ("id","sourceId","quote","startOffset","endOffset","recordKind","recordId","createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.writer.transaction(() => {
    for (let i = 0; i < o.count; i++) {
      const offset = (o.first ?? 0) + i;
      quote.run(`${o.prefix}-${String(i).padStart(6, "0")}`, o.sourceId, `${o.prefix} ${i}`, offset, offset + 1, o.kind, o.recordId, at);
    }
  })();
}
