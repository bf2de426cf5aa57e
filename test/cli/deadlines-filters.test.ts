import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { created, SCENARIO, TARIFF_THREAT } from "../helpers/app.ts";
import { addBulkScenarioRecords } from "../helpers/bulk-scenario.ts";
import { type ServedTestApp, servedTestApp } from "../helpers/server.ts";

const ROOT = resolve(import.meta.dirname, "../..");

function cli(served: ServedTestApp, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ["bin/tradewatch.js", ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: `file:${served.t.db.path}`, TRADEWATCH_URL: "" } },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, out: stdout, err: stderr }),
    );
  });
}
const lastLine = (out: string) => out.trim().split("\n").at(-1);

describe("tradewatch deadlines, filtered", () => {
  let served: ServedTestApp;
  beforeAll(async () => {
    served = await servedTestApp();
  });
  afterAll(() => served.close());

  // One test per way of reading (the database file, a server): each starts the CLI four times, which under a loaded machine took most of one test's time limit.
  it.each([
    ["locally", () => []],
    ["from a server", () => ["--url", served.url]],
  ])("lists only the deadlines involving an actor then, or of a scenario, %s", async (_how, urlOf) => {
    const url = urlOf();
    // The seeded tariff: threatened by Donald Trump, against China.
    for (const actor of ["person-donald-trump", "gov-cn"]) {
      const r = await cli(served, ["deadlines", "--as-of", "2025-10-24", "--actor", actor, ...url]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain("starting in November");
      expect(lastLine(r.out)).toBe("1 pending");
    }
    // An actor the tracker does not know is refused, naming the option, as the server refuses it: not an empty table.
    const nobody = await cli(served, ["deadlines", "--as-of", "2025-10-24", "--actor", "actor-nobody", "--threat", SCENARIO, ...url]);
    expect([nobody.code, nobody.out, nobody.err.trim()]).toEqual([2, "", `--actor: no actor "actor-nobody"; --threat: no threat "${SCENARIO}"`]);
    expect(lastLine((await cli(served, ["deadlines", "--as-of", "2025-10-24", "--scenario", SCENARIO, ...url])).out)).toBe("1 pending");
  });

  it("lists a threat's own deadlines, all of them, locally and from a server alike; an empty id is refused, naming the option", async () => {
    for (const url of [[], ["--url", served.url]]) {
      const r = await cli(served, ["deadlines", "--as-of", "2025-10-24", "--threat", TARIFF_THREAT, ...url]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain("starting in November");
      expect(lastLine(r.out)).toBe("1 pending");
    }
    // Refused before anything is read, locally or not.
    const empty = await cli(served, ["deadlines", "--condition", ""]);
    expect(empty.code).not.toBe(0);
    expect(empty.err).toContain("--condition: must not be empty");
  });

  it("says when the table is not the whole list: 500 shown, more may follow", async () => {
    addBulkScenarioRecords(served.t.db);
    for (const url of [[], ["--url", served.url]]) {
      const r = await cli(served, ["deadlines", "--as-of", "2026-01-01", ...url]);
      expect(r.code, r.err).toBe(0);
      expect(lastLine(r.out)).toBe("500 pending shown; more may follow (narrow with --within, --actor, --scenario or --threat)");
      expect(r.out.trim().split("\n")).toHaveLength(502);
    }
  });
});

describe("tradewatch deadlines, a filter that matches few among many", () => {
  let served: ServedTestApp;
  beforeAll(async () => {
    served = await servedTestApp();
  });
  afterAll(() => served.close());

  it("follows the list past pages that a filter leaves short, locally and from a server alike", async () => {
    // 9,000 pending deadlines due before the one the filter matches: the list's first page examines
    // its scan budget and ends with none of them, and a cursor (found by review: the table stopped there).
    addBulkScenarioRecords(served.t.db);
    const issuer = (await created(served.t, "/api/actors", { name: "Late issuer", kind: "government" })).id;
    const threat = (
      await created(served.t, "/api/threats", {
        scenarioId: SCENARIO,
        issuerId: issuer,
        targetIds: [],
        measure: "tariff",
        covers: "late goods",
        summary: "A late tariff",
        ratePercent: 10,
        status: "threatened",
        effectiveAt: "2025-12-01",
      })
    ).id;
    await created(served.t, "/api/deadlines", {
      threatId: threat,
      dueAt: "2026-12-20",
      precision: "day",
      wording: "by 20 December",
      effectiveAt: "2025-12-01",
    });
    for (const url of [[], ["--url", served.url]]) {
      const r = await cli(served, ["deadlines", "--actor", issuer, ...url]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain("by 20 December");
      expect(lastLine(r.out)).toBe("1 pending");
    }
  });
});
