import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DETAIL_EMBEDS, disputedAt, evidencePage } from "../../src/db/threat-detail.ts";
import { RARE_EARTH_CONDITION, TARIFF_THREAT, type TestApp, testApp } from "../helpers/app.ts";
import { planOf, recordingConnection } from "../helpers/plans.ts";

/**
 * A record's detail embeds at most DETAIL_EMBEDS quotes recorded by knownAt and says when more
 * follow; `GET /api/{collection}/{id}/evidence` pages through them all in the same order. Whether
 * the record is disputed is said of all its quotes known then. The threat is read raw, the
 * condition through Prisma: both the same.
 */
const VERBATIM = DETAIL_EMBEDS + 3;

let t: TestApp;
let now = Date.now();
/** After the supporting quotes were recorded, before the disputing ones. */
let knownAt = "";

type Quote = { id: string; sourceId: string; startOffset: number | null; stance: string };
type Detail = { evidence: Quote[]; evidenceTruncated: boolean; disputed: boolean };

const byOrder = (a: Quote, b: Quote) =>
  a.sourceId !== b.sourceId
    ? a.sourceId < b.sourceId
      ? -1
      : 1
    : a.startOffset !== b.startOffset
      ? a.startOffset === null
        ? -1
        : b.startOffset === null
          ? 1
          : a.startOffset - b.startOffset
      : a.id < b.id
        ? -1
        : 1;

async function posted(path: string, body: Record<string, unknown>): Promise<any> {
  const res = await t.write("POST", path, body);
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json();
}

beforeAll(async () => {
  t = await testApp({ clock: () => new Date(now) });
  // Words that occur once each: every quote has its own place in the text.
  const words = Array.from({ length: VERBATIM }, (_, i) => `w${String(i).padStart(4, "0")}`);
  const article = await posted("/api/sources", {
    title: "A long notice",
    publisher: "MOFCOM",
    kind: "official",
    publishedAt: "2025-10-30",
    text: words.join(" "),
  });
  const citation = await posted("/api/sources", { title: "A rebuttal", publisher: "Someone", url: "https://example.org/r", publishedAt: "2025-10-31" });
  for (const path of [`/api/threats/${TARIFF_THREAT}/evidence`, `/api/conditions/${RARE_EARTH_CONDITION}/evidence`]) {
    for (const word of [...words].reverse()) await posted(path, { sourceId: article.id, quote: word });
  }
  now += 60_000;
  knownAt = new Date(now).toISOString();
  now += 60_000;
  for (const path of [`/api/threats/${TARIFF_THREAT}/evidence`, `/api/conditions/${RARE_EARTH_CONDITION}/evidence`]) {
    for (const quote of ["Not so", "Denied"]) await posted(path, { sourceId: citation.id, quote, stance: "disputes" });
  }
}, 120_000);
afterAll(() => t.close());

async function pages(path: string, query: string, limit = 30): Promise<Quote[]> {
  const seen: Quote[] = [];
  let cursor: string | null = null;
  do {
    const res = await t.get(`${path}?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(res.status, await res.clone().text()).toBe(200);
    const page = (await res.json()) as { items: Quote[]; nextCursor: string | null };
    seen.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return seen;
}

describe("a record's evidence, bounded", () => {
  for (const record of [`threats/${TARIFF_THREAT}`, `conditions/${RARE_EARTH_CONDITION}`]) {
    it(`embeds the first quotes of ${record.split("/")[0]} and says more follow; its evidence list pages through them all in the same order`, async () => {
      const all = await pages(`/api/${record}/evidence`, "");
      expect(all.length).toBeGreaterThan(VERBATIM + 2 - 1);
      expect(all).toEqual([...all].sort(byOrder));
      // A page of one resumes after every kind of quote: verbatim, unverified, the last of a source.
      expect(await pages(`/api/${record}/evidence`, "", 1)).toEqual(all);
      expect(all.filter((q) => q.startOffset === null).map((q) => q.stance)).toEqual(["disputes", "disputes"]);
      const detail = (await (await t.get(`/api/${record}`)).json()) as Detail;
      expect(detail.evidence.map((q) => q.id)).toEqual(all.slice(0, DETAIL_EMBEDS).map((q) => q.id));
      expect([detail.evidenceTruncated, detail.disputed]).toEqual([true, true]);
    });

    it(`reads ${record.split("/")[0]}' quotes and whether it is disputed as known at knownAt`, async () => {
      const then = await pages(`/api/${record}/evidence`, `&knownAt=${knownAt}`);
      expect(then.every((q) => q.stance === "supports")).toBe(true);
      const detail = (await (await t.get(`/api/${record}?knownAt=${knownAt}`)).json()) as Detail;
      expect(detail.evidence.map((q) => q.id)).toEqual(then.slice(0, DETAIL_EMBEDS).map((q) => q.id));
      // The disputing quotes came later: not disputed then, whatever is known now.
      expect([detail.evidenceTruncated, detail.disputed]).toEqual([true, false]);
    });
  }

  it("refuses a bad cursor, limit or collection naming it, and answers 404 for an unknown record", async () => {
    for (const [path, field] of [
      [`/api/threats/${TARIFF_THREAT}/evidence?cursor=garbage`, "query.cursor"],
      [`/api/threats/${TARIFF_THREAT}/evidence?limit=0`, "query.limit"],
      [`/api/threats/${TARIFF_THREAT}/evidence?knownAt=2025-02-30`, "query.knownAt"],
      [`/api/sources/${TARIFF_THREAT}/evidence`, "param.collection"],
    ]) {
      const res = await t.get(path!);
      expect(res.status, path).toBe(422);
      expect(((await res.json()) as { errors: { field: string }[] }).errors[0]!.field, path).toBe(field);
    }
    expect((await t.get("/api/threats/threat-nobody/evidence")).status).toBe(404);
  });

  it("reads a page of quotes and each stance on the record's indexes: no sort, no other record's quotes", () => {
    const { conn, statements } = recordingConnection(t.db.writer.name);
    try {
      evidencePage(conn, "threat", TARIFF_THREAT, { knownAt: new Date(now), now: new Date(now) }, null, 10);
      disputedAt(conn, "threat", TARIFF_THREAT, new Date(now));
      const plans = statements.filter((sql) => sql.includes('FROM "Evidence"')).map((sql) => planOf(conn, sql));
      // The first page, the three ranges after each kind of cursor, and the stance probe.
      expect(plans.length).toBe(8);
      for (const plan of plans) {
        expect(plan).toMatch(
          /SEARCH e(vidence)? USING (COVERING )?INDEX Evidence_recordKind_recordId_(sourceId_startOffset_id|stance_createdAt)_idx \(recordKind=\? AND recordId=\?/i,
        );
        expect(plan).not.toMatch(/TEMP B-TREE|SCAN e(vidence)?\b/i);
      }
    } finally {
      conn.close();
    }
  });
});
