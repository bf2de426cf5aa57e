import type { TrackerDatabase } from "../../src/db/client.ts";
import { toSqlDate } from "../../src/db/sql-dates.ts";
import { SCENARIO, SOURCE, TARIFF_THREAT } from "./app.ts";

/** When the bulk records were created and recorded: after the seed, so a read as of before it shows none of them. */
export const BULK_CREATED = new Date("2025-11-15T00:00:00Z");

export const BULK = { threats: 100, conditions: 200, deadlines: 9_000, events: 700 } as const;

/**
 * Adds 10,000 records to the seeded scenario, straight into the file in one transaction, each with
 * its creation entry: 100 threats with two conditions each, 9,000 deadlines (two thirds on those
 * threats and the seeded tariff, the rest the scenario's own, 100 of those undated), 700 events
 * (300 held), and a quote on every tenth deadline.
 */
export function addBulkScenarioRecords(db: TrackerDatabase): void {
  const conn = db.writer;
  const at = toSqlDate(BULK_CREATED);
  const day = (i: number) => toSqlDate(new Date(Date.UTC(2026, 0, 1 + (i % 300))));
  const entry = conn.prepare(
    `INSERT INTO "StatusChange" ("recordKind","recordId","from","to","effectiveAt","recordedAt","reason","by") VALUES (?, ?, ?, ?, ?, ?, 'bulk', 'test')`,
  );
  const threat = conn.prepare(
    `INSERT INTO "Threat" ("id","scenarioId","issuerId","measure","covers","summary","ratePercent","isAdditional","status","version","createdAt","updatedAt")
     VALUES (?, ?, 'gov-us', 'tariff', 'bulk goods', ?, 25, 1, 'threatened', 1, ?, ?)`,
  );
  const target = conn.prepare(`INSERT INTO "ThreatTarget" ("threatId","actorId","initial") VALUES (?, 'gov-cn', 1)`);
  const condition = conn.prepare(
    `INSERT INTO "Condition" ("id","threatId","description","awaitedActorId","effect","status","version","createdAt","updatedAt")
     VALUES (?, ?, ?, 'gov-cn', 'averts', 'open', 1, ?, ?)`,
  );
  const deadline = conn.prepare(
    `INSERT INTO "Deadline" ("id","dueAt","precision","wording","threatId","scenarioId","status","version","pendingFrom","pendingKnownFrom","createdAt","updatedAt")
     VALUES (?, ?, ?, ?, ?, ?, 'pending', 1, ?, ?, ?, ?)`,
  );
  const event = conn.prepare(
    `INSERT INTO "Event" ("id","scenarioId","title","kind","startsAt","endsAt","precision","wording","place","status","version","createdAt","updatedAt")
     VALUES (?, ?, ?, 'meeting', ?, ?, 'day', 'that day', 'Geneva', ?, 1, ?, ?)`,
  );
  const participant = conn.prepare(`INSERT INTO "EventParticipant" ("eventId","actorId") VALUES (?, 'gov-us')`);
  const quote = conn.prepare(
    `INSERT INTO "Evidence" ("id","sourceId","quote","verification","stance","recordKind","recordId","createdAt") VALUES (?, ?, ?, 'unverified', 'supports', 'deadline', ?, ?)`,
  );
  const pad = (i: number) => String(i).padStart(5, "0");
  conn.transaction(() => {
    const threatIds: string[] = [TARIFF_THREAT];
    for (let i = 0; i < BULK.threats; i++) {
      const id = `threat-bulk-${pad(i)}`;
      threatIds.push(id);
      threat.run(id, SCENARIO, `Bulk threat ${i}`, at, at);
      target.run(id);
      entry.run("threat", id, null, "threatened", at, at);
      for (const c of [0, 1]) {
        const cid = `condition-bulk-${pad(i)}-${c}`;
        condition.run(cid, id, `Bulk condition ${i}.${c}`, at, at);
        entry.run("condition", cid, null, "open", at, at);
      }
    }
    for (let i = 0; i < BULK.deadlines; i++) {
      const id = `deadline-bulk-${pad(i)}`;
      const onThreat = i % 3 !== 0;
      const undated = !onThreat && i % 90 === 0;
      deadline.run(
        id,
        undated ? null : day(i),
        undated ? "unknown" : "day",
        `bulk ${i}`,
        onThreat ? threatIds[i % threatIds.length]! : null,
        onThreat ? null : SCENARIO,
        at,
        at,
        at,
        at,
      );
      entry.run("deadline", id, null, "pending", at, at);
      if (i % 10 === 0) quote.run(`evidence-bulk-${pad(i)}`, SOURCE, `bulk quote ${i}`, id, at);
    }
    for (let i = 0; i < BULK.events; i++) {
      const id = `event-bulk-${pad(i)}`;
      const held = i < 300;
      const starts = toSqlDate(new Date(Date.UTC(2025, 10, 20 + (i % 400))));
      event.run(id, SCENARIO, `Bulk talks ${i}`, starts, starts, held ? "held" : "scheduled", at, at);
      participant.run(id);
      entry.run("event", id, null, "scheduled", at, at);
      // Held on the day, recorded that day (every start is after BULK_CREATED and before now).
      if (held) entry.run("event", id, "scheduled", "held", starts, starts);
    }
  })();
}
