import { describe, expect, it } from "vitest";
import { NOVEMBER_DEADLINE, SCENARIO, TARIFF_THREAT, TEST_TOKEN } from "../helpers/app.ts";
import { useServedTestApp } from "../helpers/server.ts";

const CLIENTS = 50;
const served = useServedTestApp();

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${served.url}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TEST_TOKEN}`, "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/** Each entry's `from` is the previous entry's `to`: the history is one chain (one page holds it). */
async function expectSingleChain(collection: string, id: string) {
  const { items, nextCursor } = (await (await fetch(`${served.url}/api/${collection}/${id}/history?limit=500`)).json()) as {
    items: { from: string | null; to: string }[];
    nextCursor: string | null;
  };
  expect(nextCursor).toBeNull();
  for (let i = 1; i < items.length; i++) expect(items[i]!.from).toBe(items[i - 1]!.to);
  return items;
}

describe(`${CLIENTS} concurrent writers over real HTTP`, () => {
  it("on one record, with the same If-Match: exactly one wins, the others get 412", async () => {
    const responses = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) =>
        post(`/api/threats/${TARIFF_THREAT}/status`, { status: "suspended", reason: `client ${i}` }, { "If-Match": '"1"' }),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(CLIENTS - 1);
    const history = await expectSingleChain("threats", TARIFF_THREAT);
    expect(history).toHaveLength(2);
  });

  it("on one record without If-Match: every answer is 200 or 409, never busy or 5xx, and history stays one chain", async () => {
    // Scenario statuses can cycle, so many of these moves are legal one after another.
    const cycle = ["developing", "de-escalating", "escalating"];
    const responses = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) => post(`/api/scenarios/${SCENARIO}/status`, { status: cycle[i % 3], reason: `client ${i}` })),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    const ok = statuses.filter((s) => s === 200).length;
    const history = await expectSingleChain("scenarios", SCENARIO);
    expect(history).toHaveLength(1 + ok);
  });

  it("on different records at once: all succeed, each with its history entry and consequences", async () => {
    const created = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) =>
        post("/api/threats", { scenarioId: SCENARIO, issuerId: "gov-us", measure: "tariff", covers: `goods ${i}`, summary: `Threat ${i}` }).then(
          (r) => r.json() as Promise<{ id: string }>,
        ),
      ),
    );
    const deadlines = await Promise.all(
      created.map((c, i) =>
        post("/api/deadlines", { threatId: c.id, dueAt: "2026-12-01", precision: "day", wording: `by December (${i})` }).then(
          (r) => r.json() as Promise<{ id: string }>,
        ),
      ),
    );
    const responses = await Promise.all(created.map((c) => post(`/api/threats/${c.id}/status`, { status: "imposed", reason: "in force" })));
    expect(responses.map((r) => r.status)).toEqual(Array(CLIENTS).fill(200));
    for (const [i, d] of deadlines.entries()) {
      const deadline = (await (await fetch(`${served.url}/api/deadlines/${d.id}`)).json()) as { status: string };
      expect(deadline.status, `deadline ${i}`).toBe("triggered");
    }
  });

  it("creates with the same unique name: one 201, the rest 409, no 5xx", async () => {
    const responses = await Promise.all(Array.from({ length: CLIENTS }, () => post("/api/topics", { name: "Semiconductors" })));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(CLIENTS - 1);
  });

  it("leaves the deadline the tariff threat guards untouched by all of this", async () => {
    const deadline = (await (await fetch(`${served.url}/api/deadlines/${NOVEMBER_DEADLINE}`)).json()) as { status: string };
    expect(deadline.status).toBe("pending");
  });
});
