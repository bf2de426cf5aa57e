import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rewriteInForceOf } from "../../src/db/in-force.ts";
import { COMPONENTS_PER_PAIR } from "../../src/domain/in-force.ts";
import { type TestApp, testApp } from "../helpers/app.ts";

/**
 * The in-force view, held to a brute-force reading of the raw history. Random measures (three
 * issuers: two governments and a person who speaks for one; two targets; rates or none) get status changes and terms changes at random effective
 * times (late news and changes announced ahead), retractions and waits, all through the HTTP API
 * with a clock the test moves; then /api/in-force is read at random (asOf, knownAt), every page
 * (a small limit, so the cursor is used), and its items, totals and upcoming changes compared with
 * a naive reading of the StatusChange, Retraction, Threat and ThreatTarget tables.
 */

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString();

type Op =
  | { op: "measure"; issuer: number; targets: number[]; rate: number | null; measure: string; back: number; status: string }
  | { op: "terms"; threat: number; rate: number | null | undefined; targets: number[] | undefined; measure: string | undefined; shift: number }
  | { op: "status"; threat: number; to: string; shift: number }
  | { op: "retract"; pick: number }
  | { op: "wait"; minutes: number };

// Decimals too: a total is the exact decimal sum (0.1 + 0.2 is 0.3), as stated to 4 decimals at most.
const rateArb = fc.constantFrom(null, 5, 10, 10, 20, 25, 100, 0.1, 0.2, 0.7, 0.0035);
const targetsArb = fc.subarray([0, 1], { minLength: 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("measure" as const),
      issuer: fc.integer({ min: 0, max: 2 }),
      targets: targetsArb,
      rate: rateArb,
      measure: fc.constantFrom("tariff", "tariff", "tariff", "sanction"),
      back: fc.integer({ min: 0, max: 30 }),
      status: fc.constantFrom("threatened", "announced", "imposed", "imposed", "imposed"),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("terms" as const),
      threat: fc.nat(),
      rate: fc.option(rateArb, { nil: undefined }),
      targets: fc.option(targetsArb, { nil: undefined }),
      // Sometimes a correction of what kind of measure it is (a term: the totals add up tariffs only).
      measure: fc.option(fc.constantFrom("tariff", "sanction"), { nil: undefined, freq: 4 }),
      shift: fc.integer({ min: -30, max: 30 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("status" as const),
      threat: fc.nat(),
      to: fc.constantFrom("imposed", "imposed", "imposed", "suspended", "withdrawn", "struck-down", "lapsed", "announced"),
      shift: fc.integer({ min: -30, max: 30 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("retract" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("wait" as const), minutes: fc.integer({ min: 1, max: 20 * 24 * 60 }) }) },
);

interface Total {
  issuerId: string;
  targetId: string;
  ratePercent: number;
  componentCount?: number;
  components: { threatId: string; issuerId: string; ratePercent: number; authority: string | null }[];
}

interface Item {
  threatId: string;
  measure: string;
  ratePercent: number | null;
  authority: string | null;
  targetIds: string[];
  since: string;
  until: string | null;
}

interface Upcoming {
  threatId: string;
  change: string;
  to: string | null;
  effectiveAt: string;
}

const WITHIN_DAYS = 30;

const withoutId = (row: unknown) => {
  const { id: _, ...rest } = row as Record<string, unknown>;
  return rest;
};

/**
 * The naive reading: per measure, the entries known at K and not retracted by then, in effective
 * order; in force when the last status entry up to asOf is "imposed", with the first terms and the
 * terms entries up to asOf laid over them; upcoming, every such entry within 30 days after asOf
 * (no status here has an end, so no lapse by terms is ever superseded).
 */
function bruteView(t: TestApp, threats: string[], asOf: number, knownAt: number): { items: Item[]; totals: Total[]; upcoming: Upcoming[] } {
  const pairs = new Map<string, Total>();
  const items: Item[] = [];
  const upcoming: Upcoming[] = [];
  for (const id of threats) {
    const row = t.db.reader
      .prepare(
        `SELECT t."issuerId", COALESCE(a."governmentId", t."issuerId") AS "side", t."measure", t."ratePercent", t."authority" FROM "Threat" t JOIN "Actor" a ON a."id" = t."issuerId" WHERE t."id" = ?`,
      )
      .get(id) as Record<string, any>;
    const first = (
      t.db.reader.prepare(`SELECT "actorId" FROM "ThreatTarget" WHERE "threatId" = ? AND "initial" = 1 ORDER BY "actorId"`).all(id) as { actorId: string }[]
    ).map((r) => r.actorId);
    const entries = (
      t.db.reader
        .prepare(
          `SELECT e."seq", e."change", e."from", e."to", e."values", e."effectiveAt", e."recordedAt", r."recordedAt" AS "retractedAt"
           FROM "StatusChange" e LEFT JOIN "Retraction" r ON r."entrySeq" = e."seq" WHERE e."recordKind" = 'threat' AND e."recordId" = ?`,
        )
        .all(id) as Record<string, any>[]
    )
      .filter((e) => Date.parse(e.recordedAt) <= knownAt && !(e.retractedAt && Date.parse(e.retractedAt) <= knownAt))
      .sort((a, b) => Date.parse(a.effectiveAt) - Date.parse(b.effectiveAt) || a.seq - b.seq);
    const creation = entries.find((e) => e.change === "status" && e.from === null);
    if (!creation) continue;
    for (const e of entries) {
      const at = Date.parse(e.effectiveAt);
      if (at > asOf && at <= asOf + WITHIN_DAYS * DAY) upcoming.push({ threatId: id, change: e.change, to: e.to, effectiveAt: iso(at) });
    }
    if (Date.parse(creation.effectiveAt) > asOf) continue;
    const upTo = entries.filter((e) => Date.parse(e.effectiveAt) <= asOf);
    const statusEntry = upTo.filter((e) => e.change === "status").at(-1);
    if (statusEntry?.to !== "imposed") continue;
    const terms = {
      measure: row.measure as string,
      ratePercent: row.ratePercent as number | null,
      targetIds: first,
      authority: row.authority as string | null,
    };
    for (const e of upTo.filter((x) => x.change === "terms")) Object.assign(terms, JSON.parse(e.values));
    const next = entries.find((e) => e.change === "status" && Date.parse(e.effectiveAt) > asOf);
    items.push({
      threatId: id,
      ...terms,
      since: iso(Date.parse(statusEntry.effectiveAt)),
      until: next ? iso(Date.parse(next.effectiveAt)) : null,
    });
    if (terms.ratePercent === null || terms.measure !== "tariff") continue;
    for (const targetId of terms.targetIds) {
      // A person's measure counts for the government they speak for.
      const key = `${row.side}|${targetId}`;
      const pair: Total = pairs.get(key) ?? { issuerId: row.side, targetId, ratePercent: 0, components: [] };
      // Summed in ten-thousandths, exactly: the brute force does not share the tracker's rounding.
      pair.ratePercent = (Math.round(pair.ratePercent * 10_000) + Math.round(terms.ratePercent * 10_000)) / 10_000;
      pair.components.push({ threatId: id, issuerId: row.issuerId, ratePercent: terms.ratePercent, authority: terms.authority });
      pairs.set(key, pair);
    }
  }
  return {
    items: items.sort((a, b) => (a.threatId < b.threatId ? -1 : 1)),
    totals: normalise([...pairs.values()]),
    upcoming: normaliseUpcoming(upcoming),
  };
}

const normaliseUpcoming = (u: Upcoming[]) =>
  [...u].sort((a, b) => a.effectiveAt.localeCompare(b.effectiveAt) || a.threatId.localeCompare(b.threatId) || `${a.to}`.localeCompare(`${b.to}`));

/** Pairs in order; each with its count and its top components (highest rate first), as the API lists them. */
function normalise(totals: Total[]): Total[] {
  return totals
    .map((p) => ({
      ...p,
      componentCount: p.componentCount ?? p.components.length,
      components: [...p.components].sort((a, b) => b.ratePercent - a.ratePercent || (a.threatId < b.threatId ? -1 : 1)).slice(0, COMPONENTS_PER_PAIR),
    }))
    .sort((a, b) => `${a.issuerId}|${a.targetId}`.localeCompare(`${b.issuerId}|${b.targetId}`));
}

describe("the in-force view, through the API, against a brute-force reading of the raw history", () => {
  it("lists the measures in force, sums their tariff rates per pair and lists what is coming at random (asOf, knownAt), exactly as the raw history says", async () => {
    let runs = 0;
    const tally = { accepted: {} as Record<string, number>, probes: 0, nonEmpty: 0, bothIssuers: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 10, maxLength: 35 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 })), { minLength: 3, maxLength: 6 }),
        async (ops, probes) => {
          runs++;
          let now = START;
          const t = await testApp({ seeded: false, clock: () => new Date(now) });
          try {
            let current = "";
            const ok = async (res: Response) => {
              expect(res.status, await res.clone().text()).toBeLessThan(500);
              if (res.status < 300 && current) tally.accepted[current] = (tally.accepted[current] ?? 0) + 1;
              return res;
            };
            const created = async (path: string, body: unknown) => ((await (await ok(await t.write("POST", path, body))).json()) as { id: string }).id;
            now += 60_000;
            const actors = [await created("/api/actors", { name: "US", kind: "government" }), await created("/api/actors", { name: "CN", kind: "government" })];
            // A person who speaks for the US: their measures count for the US in the totals.
            actors.push(await created("/api/actors", { name: "POTUS", kind: "person", governmentId: actors[0] }));
            const targets = [actors[1]!, await created("/api/actors", { name: "EU", kind: "organisation" })];
            const scenario = await created("/api/scenarios", { title: `S${runs}`, summary: "s", effectiveAt: iso(START - 90 * DAY) });
            const threats: string[] = [];
            let probeCount = 0;

            const probe = async () => {
              const first = START - 20 * DAY;
              const [a, k] = probes[probeCount++ % probes.length]!;
              const asOf = Math.round(first + (a / 1000) * (now + 30 * DAY - first));
              const knownAt = Math.round(START + (k / 1000) * (now - START));
              // Every page, three items (and three upcoming changes) at a time; a pair's total repeats on each page that lists one of its measures.
              const items: Item[] = [];
              const totals = new Map<string, Total>();
              const upcoming: Upcoming[] = [];
              let cursor = "";
              do {
                const res = await ok(
                  await t.get(`/api/in-force?asOf=${iso(asOf)}&knownAt=${iso(knownAt)}&within=${WITHIN_DAYS}&limit=3${cursor && `&cursor=${cursor}`}`),
                );
                const page = (await res.json()) as {
                  items: (Item & Record<string, unknown>)[];
                  totals: Total[];
                  upcoming: Upcoming[];
                  nextCursor: string | null;
                };
                items.push(
                  ...page.items.map((i) => ({
                    threatId: i.threatId,
                    measure: i.measure,
                    ratePercent: i.ratePercent,
                    authority: i.authority,
                    targetIds: i.targetIds,
                    since: i.since,
                    until: i.until,
                  })),
                );
                upcoming.push(
                  ...page.upcoming.map((u) => ({
                    threatId: u.threatId,
                    change: u.change === "lapse" ? "status" : u.change,
                    to: u.to,
                    effectiveAt: u.effectiveAt,
                  })),
                );
                for (const p of page.totals) {
                  const key = `${p.issuerId}|${p.targetId}`;
                  if (totals.has(key)) expect(p).toEqual(totals.get(key));
                  totals.set(key, p);
                  expect(p.components.length).toBe(Math.min(p.componentCount!, COMPONENTS_PER_PAIR));
                }
                cursor = page.nextCursor ?? "";
              } while (cursor);
              const brute = bruteView(t, threats, asOf, knownAt);
              tally.probes++;
              if (totals.size) tally.nonEmpty++;
              if ([...totals.values()].some((p) => new Set(p.components.map((m) => m.issuerId)).size > 1)) tally.bothIssuers++;
              expect(items).toEqual(brute.items);
              // Totals come with the pages that list a measure of the pair, so every pair of the brute-force sum is there.
              expect(normalise([...totals.values()])).toEqual(brute.totals);
              expect(normaliseUpcoming(upcoming)).toEqual(brute.upcoming);
            };

            for (const [i, op] of ops.entries()) {
              now += 60_000;
              current = op.op;
              if (op.op === "wait") {
                now += op.minutes * 60_000;
              } else if (op.op === "measure") {
                const res = await ok(
                  await t.write("POST", "/api/threats", {
                    scenarioId: scenario,
                    issuerId: actors[op.issuer],
                    targetIds: op.targets.map((n) => targets[n]),
                    measure: op.measure,
                    covers: "goods",
                    ratePercent: op.rate,
                    authority: `law ${i % 3}`,
                    summary: `measure ${i}`,
                    status: op.status,
                    effectiveAt: iso(now - op.back * DAY),
                  }),
                );
                if (res.status === 201) threats.push(((await res.json()) as { id: string }).id);
              } else if (op.op === "terms" && threats.length) {
                const body: Record<string, unknown> = { reason: "r", effectiveAt: iso(now + op.shift * DAY), authority: `law ${i % 2}` };
                if (op.rate !== undefined) body.ratePercent = op.rate;
                if (op.targets) body.targetIds = op.targets.map((n) => targets[n]);
                if (op.measure) body.measure = op.measure;
                await ok(await t.write("POST", `/api/threats/${threats[op.threat % threats.length]}/terms`, body));
              } else if (op.op === "status" && threats.length) {
                await ok(
                  await t.write("POST", `/api/threats/${threats[op.threat % threats.length]}/status`, {
                    status: op.to,
                    reason: "r",
                    effectiveAt: iso(now + op.shift * DAY),
                  }),
                );
              } else if (op.op === "retract") {
                const seqs = t.db.reader.prepare(`SELECT "seq" FROM "StatusChange" WHERE "recordKind" = 'threat' ORDER BY "seq"`).all() as { seq: number }[];
                if (seqs.length) await ok(await t.write("POST", `/api/history/${seqs[op.pick % seqs.length]!.seq}/retract`, { reason: "a mistake" }));
              }
              current = "";
              if (i % 6 === 5) await probe();
            }
            await probe();
            // The projection the writes kept step by step is the one a rewrite from the whole histories gives.
            const rows = () => ({
              periods: t.db.reader.prepare(`SELECT * FROM "InForcePeriod" ORDER BY "threatId", "effectiveFrom", "knownFrom", "targetId"`).all().map(withoutId),
              changes: t.db.reader.prepare(`SELECT * FROM "InForceChange" ORDER BY "threatId", "seq", "knownFrom"`).all().map(withoutId),
            });
            const kept = rows();
            await t.db.rawTransaction((conn) => rewriteInForceOf(conn, threats));
            expect(rows()).toEqual(kept);
          } finally {
            await t.close();
          }
        },
      ),
      { numRuns: 25, seed: 20261129, endOnFailure: true },
    );
    for (const op of ["measure", "terms", "status", "retract"]) expect(tally.accepted[op] ?? 0, op).toBeGreaterThan(5);
    // A fifth of the reads at least find tariffs in force (the rest: before any was known, or none imposed then).
    expect(tally.nonEmpty).toBeGreaterThan(tally.probes / 5);
    // Some totals add up a government's measure and its person's.
    expect(tally.bothIssuers).toBeGreaterThan(0);
    console.info("in-force property:", JSON.stringify(tally));
  }, 240_000);
});
