import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGREEMENT_COMMITMENTS } from "../../src/db/records.ts";
import { type TestApp, testApp } from "../helpers/app.ts";

/**
 * An agreement's detail embeds at most AGREEMENT_COMMITMENTS commitments and says when more
 * follow; the commitments list filtered by the agreement pages through them all, at the read
 * time, each page read on the (agreementId, id) index.
 */
let t: TestApp;
let agreementId = "";
const ids: string[] = [];
const EARLY = AGREEMENT_COMMITMENTS + 3;
const LATE = 4;

beforeAll(async () => {
  t = await testApp();
  const created = async (path: string, body: Record<string, unknown>) => {
    const res = await t.write("POST", path, body);
    expect(res.status, await res.clone().text()).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  agreementId = await created("/api/agreements", { title: "A long truce", partyIds: ["gov-us", "gov-cn"], status: "in-force", effectiveAt: "2026-01-01" });
  for (let i = 0; i < EARLY + LATE; i++) {
    const effectiveAt = i < EARLY ? "2026-01-02" : "2026-06-01";
    ids.push(
      await created("/api/commitments", { agreementId, partyId: i % 2 ? "gov-us" : "gov-cn", description: `commitment ${i}`, kind: "other", effectiveAt }),
    );
  }
  ids.sort();
}, 120_000);
afterAll(() => t.close());

type Agreement = { commitments: { id: string }[]; commitmentsTruncated: boolean };
type Page = { items: { id: string }[]; nextCursor: string | null };

async function listed(query: string): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const res = await t.get(`/api/commitments?agreement=${agreementId}&limit=30&${query}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as Page;
    seen.push(...page.items.map((c) => c.id));
    cursor = page.nextCursor;
  } while (cursor);
  return seen;
}

describe("an agreement's commitments, bounded", () => {
  it("embeds its first commitments in id order and says more follow; the list pages through all of them", async () => {
    const res = await t.get(`/api/agreements/${agreementId}`);
    expect(res.status).toBe(200);
    const agreement = (await res.json()) as Agreement;
    expect(agreement.commitments.map((c) => c.id)).toEqual(ids.slice(0, AGREEMENT_COMMITMENTS));
    expect(agreement.commitmentsTruncated).toBe(true);
    expect(await listed("")).toEqual(ids);
  });

  it("reads both at the read time: as of before the late ones, the list leaves them out", async () => {
    const lateOnes = new Set(
      (
        t.db.reader
          .prepare(`SELECT "id" FROM "Commitment" WHERE "description" IN (${Array.from({ length: LATE }, (_, i) => `'commitment ${EARLY + i}'`)})`)
          .all() as { id: string }[]
      ).map((r) => r.id),
    );
    expect(lateOnes.size).toBe(LATE);
    expect(await listed("asOf=2026-03-01")).toEqual(ids.filter((id) => !lateOnes.has(id)));
    const then = (await (await t.get(`/api/agreements/${agreementId}?asOf=2026-03-01`)).json()) as Agreement;
    expect(then.commitments.map((c) => c.id)).toEqual(ids.slice(0, AGREEMENT_COMMITMENTS).filter((id) => !lateOnes.has(id)));
    expect(then.commitmentsTruncated).toBe(true);
  });

  it("answers an agreement with few commitments whole, and says so", async () => {
    const res = await t.write("POST", "/api/agreements", {
      title: "A short truce",
      partyIds: ["gov-us", "gov-cn"],
      status: "in-force",
      effectiveAt: "2026-01-01",
    });
    const short = (await res.json()) as Agreement & { id: string };
    expect(short.commitments).toEqual([]);
    expect(short.commitmentsTruncated).toBe(false);
  });

  it("shows the desk the first commitments and where the rest are", async () => {
    const html = await (await t.get(`/agreements/${agreementId}?asOf=2026-03-01`)).text();
    expect(html).toContain(`Only its first ${AGREEMENT_COMMITMENTS} commitments recorded are shown here`);
    expect(html).toContain(`href="/api/commitments?agreement=${agreementId}&amp;asOf=2026-03-01"`);
  });

  it("reads a page of an agreement's commitments on the (agreementId, id) index: no sort, no scan", () => {
    const plan = (where: string, params: unknown[]) =>
      (
        t.db.reader
          .prepare(`EXPLAIN QUERY PLAN SELECT "id", "description" FROM "main"."Commitment" WHERE ${where} ORDER BY "id" ASC LIMIT ? OFFSET ?`)
          .all(...params, 101, 0) as { detail: string }[]
      )
        .map((r) => r.detail)
        .join(" | ");
    // The statements Prisma sends: the detail's first page, and a page of the list after a cursor.
    const first = plan(`"agreementId" = ?`, ["a"]);
    const next = plan(`("agreementId" = ? AND "id" > ?)`, ["a", ""]);
    expect(first).toMatch(/SEARCH main.Commitment USING INDEX Commitment_agreementId_id_idx \(agreementId=\?\)/);
    expect(next).toMatch(/SEARCH main.Commitment USING INDEX Commitment_agreementId_id_idx \(agreementId=\? AND id>\?\)/);
    for (const p of [first, next]) expect(p).not.toMatch(/TEMP B-TREE|SCAN main.Commitment/);
  });
});
