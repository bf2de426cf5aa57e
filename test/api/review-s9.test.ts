import { afterEach, describe, expect, it } from "vitest";
import { encodeCursor, signedCursors } from "../../src/api/cursors.ts";
import { cursorKeyOf } from "../../src/db/cursor-key.ts";
import { SOURCE, TARIFF_THREAT, type TestApp, testApp } from "../helpers/app.ts";

// Found by a review of main at 622cafb (session 9): forged cursors, wildcards in text searches, citation checks undone by PATCH.

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
const json = async (r: Response) => (await r.json()) as any;
const fromBase64 = (s: string) => JSON.parse(Buffer.from(s, "base64url").toString("utf8"));

async function refused(res: Response, field: string): Promise<string> {
  const text = await res.text();
  expect(res.status, text).toBe(422);
  expect(res.headers.get("Content-Type")).toContain("application/problem+json");
  const fields: string[] = JSON.parse(text).errors.map((e: { field: string }) => e.field);
  expect(
    fields.some((f) => f === field || f.startsWith(`${field}.`)),
    `${fields} names ${field}`,
  ).toBe(true);
  return text;
}

const OTHER_THREAT = "threat-us-software-export-sanctions";
/** A second history entry, so a page of one has a next page. */
async function announce(app: TestApp, id: string) {
  const res = await app.write("POST", `/api/threats/${id}/status`, { status: "announced", reason: "Announced by the White House" });
  expect(res.status, await res.clone().text()).toBe(200);
}

describe("a record history's cursor", () => {
  it("is refused when altered, even to a well-formed value, and never echoed into an answer", async () => {
    t = await testApp();
    const path = `/api/threats/${TARIFF_THREAT}/history`;
    await announce(t, TARIFF_THREAT);
    const first = await json(await t.get(`${path}?limit=1`));
    expect(first.nextCursor).toEqual(expect.any(String));
    const [body, mac] = first.nextCursor.split(".");
    const carried = fromBase64(body);
    const forge = (change: Record<string, unknown>) => `${encodeCursor({ ...carried, ...change })}.${mac}`;
    for (const change of [{ previous: "bogus-status" }, { previous: "imposed" }, { knownAt: "9999-01-01T00:00:00.000Z" }, { termsSetBy: { ratePercent: 1 } }]) {
      const text = await refused(await t.get(`${path}?cursor=${forge(change)}`), "query.cursor");
      expect(text).not.toContain("bogus-status");
    }
    // Unsigned, or signed for another record's history.
    await refused(await t.get(`${path}?cursor=${body}`), "query.cursor");
    await announce(t, OTHER_THREAT);
    const other = await json(await t.get(`/api/threats/${OTHER_THREAT}/history?limit=1`));
    expect(other.nextCursor).toEqual(expect.any(String));
    await refused(await t.get(`${path}?cursor=${other.nextCursor}`), "query.cursor");
    // The cursor as issued still reads the next page.
    expect((await t.get(`${path}?limit=1&cursor=${first.nextCursor}`)).status).toBe(200);
  });

  it("checks every part as the query's own fields, even under a valid signature", async () => {
    t = await testApp();
    const signed = signedCursors(() => cursorKeyOf(t!.db.reader));
    const path = `/api/threats/${TARIFF_THREAT}/history`;
    await announce(t, TARIFF_THREAT);
    const carried = fromBase64((await json(await t.get(`${path}?limit=1`))).nextCursor.split(".")[0]);
    const scope = `history:threat:${TARIFF_THREAT}`;
    const cases: [Record<string, unknown>, string][] = [
      [{ previous: "bogus-status" }, "query.cursor.previous"],
      [{ knownAt: "9999-01-01T00:00:00.000Z" }, "query.cursor.knownAt"],
      [{ lastReportAt: "1850-01-01T00:00:00.000Z" }, "query.cursor.lastReportAt"],
      [{ after: ["2025-10-24T00:00:00.000+00:00", -1] }, "query.cursor.after.1"],
      [{ termsSetBy: { rate: 3 } }, "query.cursor.termsSetBy"],
      [{ extra: true }, "query.cursor"],
    ];
    for (const [change, field] of cases) {
      const text = await refused(await t.get(`${path}?cursor=${signed.encode(scope, { ...carried, ...change })}`), field);
      expect(text).not.toContain("bogus-status");
    }
  });
});

describe("position cursors", () => {
  it("are checked part by part as the query's fields are: dates in 1900–2200, ids, seqs; 422 naming the part", async () => {
    t = await testApp();
    const far = "9999-01-01T00:00:00.000+00:00";
    await refused(await t.get(`/api/deadlines?cursor=${encodeCursor({ undated: 0, dueAt: far, id: "d" })}`), "query.cursor.dueAt");
    await refused(await t.get(`/api/deadlines?cursor=${encodeCursor({ undated: 1, dueAt: "2025-01-01", id: "d" })}`), "query.cursor.dueAt");
    await refused(await t.get(`/api/changes?cursor=${encodeCursor([far, 1])}`), "query.cursor.0");
    await refused(
      await t.get(`/api/in-force?cursor=${encodeCursor({ items: null, upcoming: { effectiveAt: far, threatId: "x", seq: 1 } })}`),
      "query.cursor.upcoming.effectiveAt",
    );
    await refused(await t.get(`/api/threats?cursor=${encodeCursor("")}`), "query.cursor");
    await refused(await t.get(`/api/threats?cursor=${encodeCursor({ id: "x" })}`), "query.cursor");
    // The cursors the API issues still page.
    for (const path of ["/api/threats?limit=1", "/api/changes?limit=1"]) {
      const page = await json(await t.get(path));
      expect(page.nextCursor, path).toEqual(expect.any(String));
      expect((await t.get(`${path}&cursor=${page.nextCursor}`)).status, path).toBe(200);
    }
  });
});

describe("a text search (q)", () => {
  it("matches % and _ literally, in every list and in the deadlines", async () => {
    t = await testApp();
    for (const name of ["Global trade", "Rates at 5% or more", "tariff_lines"]) expect((await t.write("POST", "/api/topics", { name })).status).toBe(201);
    const names = async (q: string) => (await json(await t!.get(`/api/topics?q=${encodeURIComponent(q)}`))).items.map((x: any) => x.name);
    expect(await names("%")).toEqual(["Rates at 5% or more"]);
    expect(await names("_")).toEqual(["tariff_lines"]);
    expect(await names("G_obal")).toEqual([]);
    expect(await names("5%")).toEqual(["Rates at 5% or more"]);
    expect(await names("GLOBAL")).toEqual(["Global trade"]);
    const threats = async (q: string) => (await json(await t!.get(`/api/threats?q=${encodeURIComponent(q)}`))).items.map((x: any) => x.id);
    // Only the 100% tariff's text holds a "%".
    expect((await json(await t.get("/api/threats"))).items.length).toBeGreaterThan(1);
    expect(await threats("%")).toEqual([TARIFF_THREAT]);
    expect(await threats("_")).toEqual([]);
    expect(await threats("Chinese_goods")).toEqual([]);
    expect(await threats("Chinese goods")).toEqual([TARIFF_THREAT]);
    const deadlines = async (q: string) => (await json(await t!.get(`/api/deadlines?q=${encodeURIComponent(q)}`))).items.length;
    expect(await deadlines("_")).toBe(0);
    expect(await deadlines("Nov_mber")).toBe(0);
    expect(await deadlines("November")).toBeGreaterThan(0);
  });
});

describe("a source's PATCH", () => {
  async function citation(title: string): Promise<string> {
    const res = await t!.write("POST", "/api/sources", { title, publisher: "MOFCOM", url: `https://example.org/${title}`, publishedAt: "2025-10-30" });
    expect(res.status).toBe(201);
    return (await json(res)).id;
  }

  it("is held to the rules of a new source, on the source as it would stand: 422 naming the field, nothing changed", async () => {
    t = await testApp();
    const a = await citation("a");
    const b = await citation("b");
    const before = await json(await t.get(`/api/sources/${a}`));
    const noUrl = await t.write("PATCH", `/api/sources/${a}`, { url: null });
    await refused(noUrl, "url");
    await refused(await t.write("PATCH", `/api/sources/${a}`, { copyOfId: a }), "copyOfId");
    await refused(await t.write("PATCH", `/api/sources/${a}`, { title: "renamed", url: null }), "url");
    expect(await json(await t.get(`/api/sources/${a}`))).toEqual(before);
    // A copy of a copy of itself is a loop too.
    expect((await t.write("PATCH", `/api/sources/${a}`, { copyOfId: b })).status).toBe(200);
    await refused(await t.write("PATCH", `/api/sources/${b}`, { copyOfId: a }), "copyOfId");
    // What the rules allow still passes: an article may lose its URL, a citation may change it.
    expect((await t.write("PATCH", `/api/sources/${SOURCE}`, { url: "https://example.org/article" })).status).toBe(200);
    expect((await t.write("PATCH", `/api/sources/${SOURCE}`, { url: null })).status).toBe(200);
    expect((await t.write("PATCH", `/api/sources/${b}`, { url: "https://example.org/b2" })).status).toBe(200);
  });
});
