import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/api/create-app.ts";
import { encodeCursor } from "../../src/api/cursors.ts";
import { type SourceQuoteKey, sourceQuotes } from "../../src/db/sql/source-quotes.ts";
import { toSqlDate } from "../../src/db/sql-dates.ts";
import { createLogger } from "../../src/logger.ts";
import { createCornDeal, NOVEMBER_DEADLINE, RARE_EARTH_CONDITION, SCENARIO, TARIFF_THREAT, type TestApp, testApp } from "../helpers/app.ts";
import { planOf, recordingConnection } from "../helpers/plans.ts";

/**
 * The desk's source page (/sources/{id}) shows one page of a source's quotes (DESK_QUOTES, 100),
 * in the order of the text, with a link to the next: a source quoted 10,000 times costs a page
 * view what one quoted 101 times does.
 */
const PAGE = 100;
const EVENT = "event-trump-takaichi-meeting";

let t: TestApp;
/** A text of words that occur once each, quoted word by word through the API (each quote its own mark). */
let article = "";
let articleText = "";
/** A text quoted 10,000 times, overlapping at every word, and a citation quoted 250 times: written straight into the file. */
let crowded = "";
let citation = "";
let agreementId = "";

const QUOTED_WORDS = 230;
const CROWDED_WORDS = 2_500;

async function posted(path: string, body: Record<string, unknown>): Promise<any> {
  const res = await t.write("POST", path, body);
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json();
}

/** Evidence rows as the API writes them, for `sourceId`, in one transaction. */
function insertQuotes(sourceId: string, quotes: { quote: string; start: number | null; end: number | null; kind: string; record: string }[]): void {
  const insert = t.db.writer.prepare(
    `INSERT INTO "Evidence" ("id", "sourceId", "quote", "startOffset", "endOffset", "verification", "speakerId", "stance", "recordKind", "recordId", "createdAt")
     VALUES (?, ?, ?, ?, ?, ?, NULL, 'supports', ?, ?, ?)`,
  );
  const at = toSqlDate(new Date());
  t.db.writer.transaction(() => {
    quotes.forEach((q, i) => {
      insert.run(
        `ev-${sourceId}-${String(i).padStart(5, "0")}`,
        sourceId,
        q.quote,
        q.start,
        q.end,
        q.start === null ? "unverified" : "verbatim",
        q.kind,
        q.record,
        at,
      );
    });
  })();
}

beforeAll(async () => {
  t = await testApp();
  agreementId = (await createCornDeal(t)).agreement.id;
  const words = Array.from({ length: QUOTED_WORDS }, (_, i) => `w${String(i).padStart(4, "0")}`);
  articleText = words.join(" ");
  article = (await posted("/api/sources", { title: "A long notice", publisher: "MOFCOM", kind: "official", publishedAt: "2025-10-30", text: articleText })).id;
  const records = [
    `threats/${TARIFF_THREAT}`,
    `conditions/${RARE_EARTH_CONDITION}`,
    `deadlines/${NOVEMBER_DEADLINE}`,
    `events/${EVENT}`,
    `scenarios/${SCENARIO}`,
    `agreements/${agreementId}`,
  ];
  // Quoted out of order, so the page's order is the text's, not the recording's.
  for (const [i, word] of [...words.entries()].reverse()) await posted(`/api/${records[i % records.length]}/evidence`, { sourceId: article, quote: word });

  // At every word: the word and the next (the longer first), and the word alone for three records (tied, by id).
  const many = Array.from({ length: CROWDED_WORDS }, (_, i) => `c${String(i).padStart(5, "0")}`);
  crowded = (await posted("/api/sources", { title: "Crowded", publisher: "Wire", publishedAt: "2025-10-30", text: many.join(" ") })).id;
  insertQuotes(
    crowded,
    many.flatMap((word, i) => {
      const start = i * 7;
      return [
        { quote: `${word} ${many[i + 1] ?? ""}`.trim(), start, end: start + (i + 1 < many.length ? 13 : 6), kind: "threat", record: TARIFF_THREAT },
        { quote: word, start, end: start + 6, kind: "deadline", record: NOVEMBER_DEADLINE },
        { quote: word, start, end: start + 6, kind: "condition", record: RARE_EARTH_CONDITION },
        { quote: word, start, end: start + 6, kind: "event", record: EVENT },
      ];
    }),
  );
  citation = (await posted("/api/sources", { title: "A rebuttal", publisher: "Someone", url: "https://example.org/r", publishedAt: "2025-10-31" })).id;
  insertQuotes(
    citation,
    Array.from({ length: 250 }, (_, i) => ({ quote: `said ${i}`, start: null, end: null, kind: "threat", record: TARIFF_THREAT })),
  );
}, 120_000);
afterAll(() => t.close());

/** Every quote of a source, in the page's order, straight from the table. */
function allQuotes(sourceId: string): { id: string; recordKind: string; recordId: string }[] {
  return t.db.reader
    .prepare(`SELECT "id", "recordKind", "recordId" FROM "Evidence" WHERE "sourceId" = ? ORDER BY "startOffset", "endOffset" DESC, "id"`)
    .all(sourceId) as { id: string; recordKind: string; recordId: string }[];
}

async function html(path: string): Promise<string> {
  const res = await t.get(path);
  expect(res.status, path).toBe(200);
  return res.text();
}

const more = (page: string) => page.match(/<a href="([^"]+)" rel="next">More quotes/)?.[1]?.replaceAll("&amp;", "&") ?? null;
const marks = (page: string) => [...page.matchAll(/<mark id="([^"]+)"[^>]*><a href="([^"]+)">/g)].map((m) => ({ id: m[1]!, href: m[2]! }));

describe("the desk's page of a source", () => {
  it("shows one page of a long text's quotes, the stretch they lie in and a link to the next: the pages hold every quote once, in the text's order", async () => {
    const pages: string[] = [];
    for (let path: string | null = `/sources/${article}`; path; path = more(pages.at(-1)!)) pages.push(await html(path));
    expect(pages).toHaveLength(3);
    expect(pages[0]).toMatch(
      new RegExp(`${PAGE} evidence quotes highlighted on this page · characters 0 to [\\d,]+ of ${articleText.length.toLocaleString("en")}`),
    );
    expect(pages[2]).toContain(`${QUOTED_WORDS - 2 * PAGE} evidence quotes highlighted on this page`);
    expect(pages[2]).toContain(`<a href="/sources/${article}">From the start</a>`);
    expect(pages.map((p) => marks(p).length)).toEqual([PAGE, PAGE, QUOTED_WORDS - 2 * PAGE]);
    const shown = pages.flatMap(marks);
    const expected = allQuotes(article);
    expect(shown.map((m) => m.id)).toEqual(expected.map((q) => q.id));
    // Each linked to where its record is shown: the scenario page for those in one, the API for an agreement.
    const hrefOf = new Map(shown.map((m) => [m.id, m.href]));
    for (const q of expected) {
      expect(hrefOf.get(q.id), q.recordKind).toBe(q.recordKind === "agreement" ? `/api/agreements/${agreementId}` : `/scenarios/${SCENARIO}#${q.recordId}`);
    }
  });

  it("shows a short article whole, every quote on one page, without links to other pages", async () => {
    const page = await html("/sources/src-benzinga-trump-xi-apec");
    expect(marks(page).length).toBeGreaterThan(15);
    expect(page).toMatch(/ · \d+ evidence quotes highlighted</);
    expect(page).not.toContain("characters ");
    expect(page).not.toContain('class="more"');
  });

  it("lists a citation's quotes a page at a time too", async () => {
    const first = await html(`/sources/${citation}`);
    expect([...first.matchAll(/<blockquote class="quote"/g)]).toHaveLength(PAGE);
    expect(first).toContain(`${PAGE} evidence quotes listed on this page`);
    expect(more(first)).toMatch(new RegExp(`^/sources/${citation}\\?after=`));
  });

  it("pages through quotes that share a start or a place, a text's and a citation's, without gaps or repeats", () => {
    for (const sourceId of [crowded, citation]) {
      const expected = allQuotes(sourceId).map((q) => q.id);
      for (const size of [1, 7, PAGE]) {
        const seen: string[] = [];
        let after: SourceQuoteKey | null = null;
        for (;;) {
          const page = sourceQuotes(t.db.reader, sourceId, after, size);
          seen.push(...page.map((q) => q.id));
          if (page.length < size) break;
          const last = page.at(-1)!;
          after = [last.startOffset, last.endOffset, last.id];
        }
        expect(seen, `${sourceId} by ${size}`).toEqual(expected);
      }
    }
  });

  it("refuses a cursor it did not issue, naming it and the part at fault, before reading anything", async () => {
    for (const [after, named] of [
      ["garbage!", "after: is not a cursor"],
      [encodeCursor({ start: 1 }), "after: "],
      [encodeCursor([-1, 3, "ev-x"]), "after.0: "],
      [encodeCursor([1, "3", "ev-x"]), "after.1: "],
      [encodeCursor([1, 3, ""]), "after.2: "],
      [encodeCursor([1, 3, "ev-x", 4]), "after"],
    ] as const) {
      const res = await t.get(`/sources/no-such-source?after=${after}`);
      expect(res.status, after).toBe(422);
      expect(await res.text(), after).toContain(named);
    }
    expect((await t.get("/sources/no-such-source")).status).toBe(404);
  });

  it("reads a page of a source quoted 10,000 times with a bounded set of statements, each on an index", async () => {
    expect(allQuotes(crowded)).toHaveLength(4 * CROWDED_WORDS);
    // The same app on a reader that records what it runs.
    const { conn, statements, runs } = recordingConnection(t.db.writer.name);
    try {
      const app = createApp({
        db: { ...t.db, reader: conn },
        token: "unused-token-0123456789",
        logger: createLogger("silent"),
        config: { CORS_ORIGINS: [], BODY_LIMIT_BYTES: 256 * 1024, REQUEST_TIMEOUT_MS: 10_000, TRADEWATCH_PRIVATE_READS: false },
      });
      let path: string | null = `/sources/${crowded}`;
      for (let n = 0; n < 3 && path; n++) {
        runs.length = 0;
        const res = await app.request(path);
        expect(res.status).toBe(200);
        const page = await res.text();
        // The source, at most three ranges of its quotes (a page resumes inside a place, a start, then after), one lookup per record kind.
        expect(runs.length, path).toBeLessThanOrEqual(1 + 3 + 4);
        expect(runs.reduce((sum, r) => sum + r.rows, 0)).toBeLessThanOrEqual(1 + PAGE + 1 + PAGE);
        // One more quote than the page shows, to know more follow: not the source's 10,000.
        expect(runs.filter((r) => r.sql.includes('FROM "Evidence"')).reduce((sum, r) => sum + r.rows, 0)).toBe(PAGE + 1);
        expect(page).toContain(`${PAGE} evidence quotes highlighted on this page`);
        expect(page.length).toBeLessThan(50_000);
        path = more(page);
        expect(path).not.toBeNull();
      }
      const plans = [...new Set(statements)].filter((sql) => !sql.startsWith("PRAGMA")).map((sql) => planOf(conn, sql));
      for (const plan of plans) expect(plan).not.toMatch(/TEMP B-TREE|SCAN (Evidence|Threat|Deadline|Condition|Event|Source)\b/);
      expect(plans.filter((p) => p.includes("Evidence_sourceId_startOffset_endOffset_id_idx (sourceId=?"))).toHaveLength(6);
    } finally {
      conn.close();
    }
  });
});
