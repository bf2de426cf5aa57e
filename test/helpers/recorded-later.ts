import type { TrackerDatabase } from "../../src/db/client.ts";
import { toSqlDate } from "../../src/db/sql-dates.ts";

/**
 * `count` pending deadlines of one threat or scenario, due `dueAt` and stated at `effectiveAt`,
 * recorded at `recordedAt`: straight into the file in one transaction, each row and creation entry
 * as the API writes them (thousands through HTTP would take a test minutes).
 */
export function deadlinesRecordedAt(
  db: TrackerDatabase,
  o: { owner: { threatId: string } | { scenarioId: string }; count: number; dueAt: Date; effectiveAt: Date; recordedAt: Date; prefix: string },
): void {
  const at = toSqlDate(o.recordedAt);
  const effective = toSqlDate(o.effectiveAt);
  const due = toSqlDate(o.dueAt);
  const [column, ownerId] = "threatId" in o.owner ? ["threatId", o.owner.threatId] : ["scenarioId", o.owner.scenarioId];
  const deadline = db.writer.prepare(
    `INSERT INTO "Deadline" ("id","dueAt","precision","wording","${column}","status","version","pendingFrom","pendingKnownFrom","createdAt","updatedAt")
     VALUES (?, ?, 'day', ?, ?, 'pending', 1, ?, ?, ?, ?)`,
  );
  const entry = db.writer.prepare(
    `INSERT INTO "StatusChange" ("recordKind","recordId","from","to","effectiveAt","recordedAt","reason","by") VALUES ('deadline', ?, NULL, 'pending', ?, ?, 'recorded later', 'test')`,
  );
  db.writer.transaction(() => {
    for (let i = 0; i < o.count; i++) {
      const id = `${o.prefix}-${String(i).padStart(6, "0")}`;
      deadline.run(id, due, `${o.prefix} ${i}`, ownerId, effective, at, at, at);
      entry.run(id, effective, at);
    }
  })();
}
