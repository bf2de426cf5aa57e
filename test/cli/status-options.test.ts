import { afterEach, beforeEach, expect, it } from "vitest";
import { NOVEMBER_DEADLINE, TARIFF_THREAT, TEST_TOKEN } from "../helpers/app.ts";
import { contentChecksum } from "../helpers/database.ts";
import { runCommand } from "../helpers/run-script.ts";
import { type ServedTestApp, servedTestApp } from "../helpers/server.ts";

// `tradewatch status` takes what POST …/status takes, checked by the API's own schema and rules,
// on the local database and against a running server alike.

const EXPORT_CONTROLS = "threat-cn-rare-earth-export-controls";
let served: ServedTestApp;
beforeEach(async () => {
  served = await servedTestApp();
});
afterEach(() => served.close());

/** The real command line as a child process, on the served app's database file (or its server with `url`). */
const cli = (args: string[], url?: string) =>
  runCommand(process.execPath, ["bin/tradewatch.js", ...args, ...(url ? ["--url", url] : [])], {
    DATABASE_URL: `file:${served.t.db.path}`,
    TRADEWATCH_URL: "",
    TRADEWATCH_TOKEN: TEST_TOKEN,
  });
const read = async (path: string) => (await (await served.t.get(path)).json()) as any;

it("records a suspension with an end on the local database: until, then and the end's wording", async () => {
  const imposed = await cli(["status", "threat", TARIFF_THREAT, "imposed", "--reason", "in force", "--effective-at", "2025-11-01"]);
  expect(imposed.code, imposed.err).toBe(0);
  const suspended = await cli([
    "status",
    "threat",
    TARIFF_THREAT,
    "suspended",
    "--reason",
    "a year's truce",
    "--effective-at",
    "2025-11-10",
    "--until",
    "2026-11-10",
    "--then",
    "imposed",
    "--until-wording",
    "until 10 November 2026",
  ]);
  expect(suspended.code, suspended.err).toBe(0);
  const expiry = /imposed → suspended \(\d+ consequence\(s\)\); expiry deadline (\S+)$/.exec(suspended.out.trim())?.[1];
  expect(expiry, suspended.out).toBeDefined();
  expect((await read(`/api/threats/${TARIFF_THREAT}?asOf=2026-06-01`)).status).toBe("suspended");
  const after = await read(`/api/threats/${TARIFF_THREAT}?asOf=2026-11-11`);
  expect([after.status, after.unconfirmed]).toEqual(["imposed", true]);
  const deadline = await read(`/api/deadlines/${expiry}`);
  expect([deadline.dueAt, deadline.wording]).toEqual(["2026-11-10T00:00:00.000Z", "until 10 November 2026"]);
});

it("extends a deadline through a running server: the successor has the new due date, precision and wording", async () => {
  const r = await cli(
    [
      "status",
      "deadline",
      NOVEMBER_DEADLINE,
      "extended",
      "--reason",
      "pushed back to February",
      "--effective-at",
      "2025-10-30",
      "--new-due-at",
      "2026-02-01",
      "--new-precision",
      "month",
      "--new-wording",
      "in February",
    ],
    served.url,
  );
  expect(r.code, r.err).toBe(0);
  const successor = /pending → extended \(\d+ consequence\(s\)\); successor deadline (\S+)$/.exec(r.out.trim())?.[1];
  expect(successor, r.out).toBeDefined();
  const deadline = await read(`/api/deadlines/${successor}`);
  expect([deadline.dueAt, deadline.precision, deadline.wording, deadline.extendsId]).toEqual([
    "2026-02-01T00:00:00.000Z",
    "month",
    "in February",
    NOVEMBER_DEADLINE,
  ]);
});

it("records a measure superseded by the one that replaces it", async () => {
  const replacement = (await (
    await served.t.write("POST", "/api/threats", {
      scenarioId: "scenario-us-china-rare-earth-tariffs",
      issuerId: "gov-cn",
      measure: "export-control",
      covers: "rare earth exports",
      summary: "Rare earth export licences, replacing the October controls",
      status: "imposed",
    })
  ).json()) as any;
  const r = await cli(["status", "threat", EXPORT_CONTROLS, "superseded", "--reason", "replaced by licences", "--superseded-by", replacement.id]);
  expect(r.code, r.err).toBe(0);
  expect(r.out).toContain("imposed → superseded");
  const threat = await read(`/api/threats/${EXPORT_CONTROLS}`);
  expect([threat.status, threat.supersededById]).toEqual(["superseded", replacement.id]);
});

it("refuses a misplaced or missing option with the API's message under the option's name, locally and through a server, writing nothing", async () => {
  const before = contentChecksum(served.t.db);
  const refusals: [string[], string][] = [
    // The API's schema (statusChangeBodyFor).
    [
      ["status", "threat", TARIFF_THREAT, "imposed", "--reason", "r", "--new-due-at", "2026-02-01"],
      '--new-due-at: only a deadline moving to "extended" takes a new due date',
    ],
    [
      ["status", "threat", TARIFF_THREAT, "suspended", "--reason", "r", "--until", "2026-11-10"],
      "--then: required with until: the status the record returns to",
    ],
    [["status", "threat", TARIFF_THREAT, "bogus", "--reason", "r"], "status: must be one of: considering, threatened"],
    // The write's rules: an end only where the lifecycle has one, a new date where the move needs one.
    [
      // Named as misplaced, not asked for its other half (--then).
      ["status", "deadline", NOVEMBER_DEADLINE, "extended", "--reason", "r", "--new-due-at", "2026-02-01", "--until", "2026-03-01"],
      '--until: only a threat moving to "suspended" may have an end (until, then)',
    ],
    [
      ["status", "threat", TARIFF_THREAT, "imposed", "--reason", "r", "--until", "2026-03-01", "--then", "threatened"],
      '--until: only a threat moving to "suspended" may have an end (until, then)',
    ],
    [["status", "deadline", NOVEMBER_DEADLINE, "extended", "--reason", "r"], '--new-due-at: required when a deadline moves from "pending" to "extended"'],
  ];
  for (const [args, message] of refusals) {
    for (const url of [undefined, served.url]) {
      const r = await cli(args, url);
      expect(r.code, `${args.join(" ")} ${url ?? ""}`).toBe(2);
      expect(r.err.trim(), `${args.join(" ")} ${url ?? ""}`).toMatch(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    }
  }
  expect(contentChecksum(served.t.db)).toBe(before);
}, 120_000);
