import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeCursor } from "../../src/api/cursors.ts";
import { openDatabase } from "../../src/db/client.ts";
import { SCENARIO, TARIFF_THREAT, type TestApp, testApp } from "../helpers/app.ts";
import { contentChecksum, freshDatabaseFile } from "../helpers/database.ts";

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

async function problemOf(res: Response) {
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  return (await res.json()) as { status: number; errors?: { field: string; problem: string }[]; detail: string };
}

describe("requests that answered an anonymous 500", () => {
  it("a /api/changes cursor decoding to 1e21, or to a negative or fractional seq, is 422", async () => {
    for (const seq of [1e21, -1, 1.5]) {
      const res = await t.get(`/api/changes?cursor=${encodeCursor(seq)}`);
      expect(res.status, String(seq)).toBe(422);
      expect((await problemOf(res)).errors?.[0]?.field).toBe("query.cursor");
    }
  });

  it("since at 9999-12-31T23:59:59-14:00 (year 10000 in UTC) is 422", async () => {
    const res = await t.get(`/api/changes?since=${encodeURIComponent("9999-12-31T23:59:59-14:00")}`);
    expect(res.status).toBe(422);
    expect((await problemOf(res)).errors?.[0]?.field).toBe("query.since");
  });

  it("asset names that are Object.prototype members are 404, not a file read", async () => {
    for (const path of [
      "/assets/constructor",
      "/assets/toString",
      "/assets/__proto__",
      "/docs/assets/toString",
      "/docs/assets/constructor",
      "/docs/assets/hasOwnProperty",
    ]) {
      const res = await t.get(path);
      expect(res.status, path).toBe(404);
    }
  });
});

describe("storage faults are told by SQLite's codes only", () => {
  it("an id that reads like a SQLite error code is a plain 404, not a retried 503", async () => {
    for (const id of ["SQLITE_BUSY", "SQLITE_FULL", "SQLITE_CORRUPT"]) {
      expect((await t.write("PATCH", `/api/topics/${id}`, { name: "x" })).status, id).toBe(404);
    }
    expect((await t.get("/health")).status).toBe(200);
  });
});

describe("one date range for every date read or written", () => {
  it("refuses due dates, meeting dates and effective times outside 1900–2200 with 422 naming the field, and changes nothing", async () => {
    const before = contentChecksum(t.db);
    for (const dueAt of ["0000-01-01", "1899-12-31", "2201-01-01", "9999-12-31T23:59:59-14:00"]) {
      const res = await t.write("POST", "/api/deadlines", { threatId: TARIFF_THREAT, dueAt, precision: "day", wording: "far off" });
      expect(res.status, dueAt).toBe(422);
      const body = await problemOf(res);
      expect(body.errors?.[0]?.field).toBe("dueAt");
      expect(body.errors?.[0]?.problem).toContain("1900 to 2200");
    }
    const event = await t.write("POST", "/api/events", { title: "Far", kind: "meeting", startsAt: "0001-01-01", precision: "day", wording: "year one" });
    expect(event.status).toBe(422);
    const change = await t.write("POST", `/api/threats/${TARIFF_THREAT}/status`, { status: "imposed", reason: "r", effectiveAt: "0000-06-01" });
    expect(change.status).toBe(422);
    expect(contentChecksum(t.db)).toBe(before);
  });

  it("accepts the range's edges and reads with the same rule (asOf, desk)", async () => {
    const edge = await t.write("POST", "/api/deadlines", { threatId: TARIFF_THREAT, dueAt: "2200-12-31", precision: "day", wording: "the far edge" });
    expect(edge.status).toBe(201);
    expect((await t.get("/api/deadlines?asOf=1900-01-01")).status).toBe(200);
    expect((await t.get("/api/deadlines?asOf=2200-12-31")).status).toBe(200);
    expect((await t.get("/api/deadlines?asOf=1899-12-31")).status).toBe(422);
    expect((await t.get("/?asOf=0100-01-01")).status).toBe(422);
  });
});

describe("the calendar feed's parameters", () => {
  it("refuses a ?scenario= carrying a CRLF payload and an unknown one (422, as the API's filters); nothing is echoed into a feed", async () => {
    const payload = "x\r\nEND:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:forged\r\nEND:VEVENT";
    const res = await t.get(`/calendar.ics?scenario=${encodeURIComponent(payload)}`);
    expect(res.status).toBe(422);
    expect(await res.text()).not.toMatch(/^SUMMARY:forged/m);
    const unknown = await t.get("/calendar.ics?scenario=no-such-scenario");
    expect([unknown.status, ((await unknown.json()) as { detail: string }).detail]).toEqual([422, 'query.scenario: no scenario "no-such-scenario"']);
    expect((await t.get(`/calendar.ics?scenario=${"s".repeat(300)}`)).status).toBe(422);
  });

  it("keeps a stored title with line breaks inside its own property: no forged entry", async () => {
    const hostile = "Talks\r\nEND:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:forged";
    // A title with line breaks is refused now (422), but one may be stored from before that rule.
    expect((await t.write("POST", "/api/scenarios", { title: hostile, summary: "s" })).status).toBe(422);
    const created = await t.write("POST", "/api/scenarios", { title: "Talks in March", summary: "s" });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    t.db.writer.prepare(`UPDATE "Scenario" SET "title" = ? WHERE "id" = ?`).run(hostile, id);
    const meeting = await t.write("POST", "/api/events", {
      title: "Meeting\r\nBEGIN:VALARM",
      kind: "meeting",
      startsAt: "2026-03-02",
      precision: "day",
      wording: "2 March",
      scenarioId: id,
    });
    expect(meeting.status).toBe(201);
    // A control character is refused now (422), but one may be stored from before that rule.
    const event = ((await meeting.json()) as { id: string }).id;
    t.db.writer.prepare(`UPDATE "Event" SET "title" = ? WHERE "id" = ?`).run("Meeting\r\nBEGIN:VALARM\u0007", event);
    const feed = await (await t.get(`/calendar.ics?scenario=${id}`)).text();
    expect(feed).not.toMatch(/^(SUMMARY:forged|BEGIN:VALARM)/m);
    expect(feed.match(/^BEGIN:VEVENT/gm)).toHaveLength(1);
    expect(feed.match(/^END:VCALENDAR/gm)).toHaveLength(1);
    expect(feed).not.toContain("\u0007");
  });
});

describe("CSV exports", () => {
  it("escape cells starting with = + - @ tab or CR, so a spreadsheet shows them as text", async () => {
    const texts = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\tTab", "\rReturn"];
    // In a free-text field (names refuse tabs and line breaks): a scenario's summary.
    for (const [i, summary] of texts.entries()) {
      expect((await t.write("POST", "/api/scenarios", { title: `Formula scenario ${i}`, summary })).status).toBe(201);
    }
    const rows = parse(await (await t.get("/api/scenarios?format=csv&limit=500")).text(), { columns: true }) as { summary: string }[];
    for (const text of texts) {
      expect(rows.map((r) => r.summary)).toContain(`'${text}`);
      expect(rows.map((r) => r.summary)).not.toContain(text);
    }
  });
});

describe("source URLs", () => {
  it("are http(s) only: javascript:, data: and file: URLs are refused with 422 naming url", async () => {
    const before = contentChecksum(t.db);
    for (const url of ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,<script>alert(1)</script>", "file:///etc/passwd"]) {
      const res = await t.write("POST", "/api/sources", { title: "S", publisher: "P", url, publishedAt: "2025-10-23", text: `text for ${url}` });
      expect(res.status, url).toBe(422);
      expect((await problemOf(res)).errors?.[0]?.field).toBe("url");
    }
    expect(contentChecksum(t.db)).toBe(before);
    const ok = await t.write("POST", "/api/sources", { title: "S", publisher: "P", url: "https://example.org/a", publishedAt: "2025-10-23", text: "fine" });
    expect(ok.status).toBe(201);
  });

  it("a non-http URL already stored is shown as text, never as a link", async () => {
    const created = await t.write("POST", "/api/sources", { title: "Old", publisher: "P", publishedAt: "2025-10-23", text: "stored before the rule" });
    const { id } = (await created.json()) as { id: string };
    t.db.writer.prepare('UPDATE "Source" SET "url" = ? WHERE "id" = ?').run("javascript:alert(1)", id);
    const page = await (await t.get(`/sources/${id}`)).text();
    expect(page).not.toContain('href="javascript:');
  });
});

describe("history in the database", () => {
  it("refuses REPLACE INTO and INSERT OR REPLACE of an existing entry, whatever the connection's pragmas", () => {
    const first = t.db.reader.prepare('SELECT * FROM "StatusChange" ORDER BY "seq" LIMIT 1').get() as Record<string, unknown>;
    for (const verb of ["REPLACE INTO", "INSERT OR REPLACE INTO"]) {
      for (const recursive of ["OFF", "ON"]) {
        t.db.writer.pragma(`recursive_triggers = ${recursive}`);
        expect(() =>
          t.db.writer
            .prepare(
              `${verb} "StatusChange" ("seq", "recordKind", "recordId", "from", "to", "effectiveAt", "recordedAt", "reason", "by") VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?)`,
            )
            .run(first.seq, first.recordKind, first.recordId, "rewritten", first.effectiveAt, first.recordedAt, "rewritten", "attacker"),
        ).toThrow(/append-only/);
      }
    }
    t.db.writer.pragma("recursive_triggers = OFF");
    expect(t.db.reader.prepare('SELECT * FROM "StatusChange" WHERE "seq" = ?').get(first.seq)).toEqual(first);
  });

  it("still appends new entries", async () => {
    const res = await t.write("POST", `/api/scenarios/${SCENARIO}/status`, { status: "de-escalating", reason: "still appends" });
    expect(res.status).toBe(200);
  });
});

describe("unique names", () => {
  it("are compared after Unicode NFC and case folding: actor names, scenario titles, topic names (409), on create and edit", async () => {
    expect((await t.write("POST", "/api/topics", { name: "Café tariffs" })).status).toBe(201);
    for (const name of ["CAFE\u0301 TARIFFS", "café Tariffs", "cafe\u0301 tariffs"]) {
      const res = await t.write("POST", "/api/topics", { name });
      expect(res.status, name).toBe(409);
      expect((await problemOf(res)).detail).toContain("same name");
    }
    expect((await t.write("POST", "/api/actors", { name: "Straße Ministry", kind: "organisation" })).status).toBe(201);
    expect((await t.write("POST", "/api/actors", { name: "STRASSE MINISTRY", kind: "organisation" })).status).toBe(409);
    const seeded = (await (await t.get(`/api/scenarios/${SCENARIO}`)).json()) as { title: string };
    expect((await t.write("POST", "/api/scenarios", { title: seeded.title.toUpperCase(), summary: "s" })).status).toBe(409);

    const other = (await (await t.write("POST", "/api/topics", { name: "Another topic" })).json()) as { id: string };
    expect((await t.write("PATCH", `/api/topics/${other.id}`, { name: "CAFÉ TARIFFS" })).status).toBe(409);
    expect((await t.write("PATCH", `/api/topics/${other.id}`, { name: "ANOTHER Topic" })).status).toBe(200);
    expect(t.db.reader.prepare(`SELECT count(*) AS n FROM "Topic" WHERE "nameKey" = 'café tariffs'`).get()).toEqual({ n: 1 });
  });

  it("rows written before the key existed get it when the database is next opened", async () => {
    const path = freshDatabaseFile();
    const db = await openDatabase(path);
    db.writer.prepare(`INSERT INTO "Topic" ("id", "name") VALUES ('topic-old', 'ÉCHANGES')`).run();
    await db.close();
    const reopened = await openDatabase(path);
    expect(reopened.reader.prepare(`SELECT "nameKey" FROM "Topic" WHERE "id" = 'topic-old'`).get()).toEqual({ nameKey: "échanges" });
    await reopened.close();
  });
});
