import { spawnSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { SERVER_BUNDLE, SERVER_NODE_FLAGS } from "../scripts/build-server.mjs";
import { generateDatabase, migratedBase } from "./generate.ts";
import { load } from "./load.ts";
import { childrenDone, cpuMs, peakRssMb, ROOT, spawnServer } from "./processes.ts";
import { type Report, type Row, writeReport } from "./report.ts";

// `npm run bench` (10k, 100k, 1M deadlines) or `npm run bench -- --quick` (10k only).
const quick = process.argv.includes("--quick");
const SIZES = quick ? [10_000] : [10_000, 100_000, 1_000_000];
const DURATION_S = quick ? 3 : 6;
const SEED = 20251023;
const TOKEN = "bench-token-0123456789abcdef";
const WORK = join(ROOT, "bench/work");
const RESULTS = join(ROOT, "bench/results");
const now = new Date();
const day = (d: Date) => d.toISOString().slice(0, 10);
const asOf = day(new Date(now.getTime() - 30 * 86_400_000));
/** A cursor two years into the past of the due-date order, as a client paging far would send. */
const deepCursor = Buffer.from(
  JSON.stringify({ undated: 0, dueAt: new Date(now.getTime() - 730 * 86_400_000).toISOString().replace("Z", "+00:00"), id: "" }),
  "utf8",
).toString("base64url");

function timed(fn: () => void): number {
  const t = performance.now();
  fn();
  return Math.round(performance.now() - t);
}

function npm(script: string, env: Record<string, string>) {
  const r = spawnSync("npm", ["run", "--silent", script], { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`npm run ${script} failed: ${r.stderr}`);
}

/** The bare SQL of case (a) run in-process: what SQLite itself does, with no HTTP around it. */
function floorOf(path: string) {
  const db = new Database(path, { readonly: true });
  const statement = db.prepare(
    `SELECT d.*, t."summary", c."description", s."title" FROM "Deadline" d LEFT JOIN "Threat" t ON t."id"=d."threatId" LEFT JOIN "Condition" c ON c."id"=d."conditionId" LEFT JOIN "Scenario" s ON s."id"=t."scenarioId" WHERE d."dueAt" IS NOT NULL AND d."status"='pending' ORDER BY d."dueAt", d."id" LIMIT 51`,
  );
  let n = 0;
  const t = performance.now();
  while (performance.now() - t < 1000) {
    statement.all();
    n++;
  }
  const ms = performance.now() - t;
  db.close();
  return { queriesPerS: Math.round((n / ms) * 1000), usPerQuery: Math.round((ms / n) * 1000) };
}

async function main() {
  const startedAt = new Date().toISOString();
  const report: Report = {
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "unknown",
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      sqlite: String((new Database(":memory:").prepare("SELECT sqlite_version() AS v").get() as { v: string }).v),
      platform: `${process.platform} ${process.arch}`,
    },
    startedAt,
    finishedAt: "",
    durationPerCaseS: DURATION_S,
    startupMs: 0,
    migrateSeedMs: 0,
    floor: [],
    generation: [],
    rows: [],
  };

  const seeded = join(WORK, "seeded.db");
  spawnSync("rm", ["-f", seeded, `${seeded}-wal`, `${seeded}-shm`]);
  report.migrateSeedMs = timed(() => {
    npm("db:migrate", { DATABASE_URL: `file:${seeded}` });
    npm("db:seed", { DATABASE_URL: `file:${seeded}` });
  });
  const started = await spawnServer("npm", ["start"], { DATABASE_URL: `file:${seeded}`, PORT: "0", TRADEWATCH_TOKEN: TOKEN, LOG_LEVEL: "warn" });
  // Time to the first 200, not just to the "listening" line.
  for (;;) {
    const ok = await fetch(`${started.url}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
  }
  report.startupMs = Math.round(started.startedMs);
  await started.stop();
  console.log(`start-up ${report.startupMs} ms, migrate+seed ${report.migrateSeedMs} ms`);

  const base = migratedBase(WORK);
  for (const size of SIZES) {
    const path = join(WORK, `bench-${size}.db`);
    let counts!: ReturnType<typeof generateDatabase>;
    const ms = timed(() => {
      counts = generateDatabase(path, size, SEED, now, base);
    });
    report.generation.push({ size, ms, statusChanges: counts.statusChanges });
    report.floor.push({ size, case: "a", ...floorOf(path) });
    console.log(`${size}: generated in ${ms} ms (${counts.measures} measures)`);

    // The server `npm start` runs (`npm run bench` builds it first, as `npm start` does), without npm in between, so the RSS read is the server's own.
    const tracker = await spawnServer(process.execPath, [...SERVER_NODE_FLAGS, SERVER_BUNDLE], {
      DATABASE_URL: `file:${path}`,
      PORT: "0",
      TRADEWATCH_TOKEN: TOKEN,
      LOG_LEVEL: "info",
    });
    const baseline = await spawnServer(process.execPath, ["--import", "tsx", "bench/baseline-server.ts", path], {});
    const checkMs = await childrenDone(tracker.child.pid!);
    if (checkMs > 0) console.log(`${size}: waited ${checkMs} ms more for the tracker's start-up file check to end`);
    const threatIds = Array.from({ length: 1000 }, (_, i) => `threat-${(i * 7919) % counts.threats}`);
    const cases: { c: Row["case"]; tracker: string[]; baseline: string[] | null; method?: "POST"; body?: string }[] = [
      { c: "a", tracker: ["/api/deadlines?status=pending&limit=50"], baseline: ["/api/deadlines"] },
      { c: "b", tracker: [`/api/deadlines?status=pending&limit=50&asOf=${asOf}`], baseline: [`/api/deadlines?asOf=${asOf}`] },
      { c: "c", tracker: threatIds.map((id) => `/api/threats/${id}`), baseline: threatIds.map((id) => `/api/threats/${id}`) },
      { c: "e", tracker: ["/api/threats?q=semiconductor&limit=50", "/api/threats?q=steel&limit=50"], baseline: null },
      {
        c: "d",
        tracker: counts.benchThreats.map((id) => `/api/threats/${id}/status`),
        baseline: null,
        method: "POST",
        body: JSON.stringify({ status: "imposed", reason: "bench" }),
      },
      // Slow and hostile reads last: their backlog must not spill into the targets measured above.
      { c: "k", tracker: [`/api/deadlines?status=pending&limit=50&knownAt=${asOf}`], baseline: null },
      { c: "f", tracker: ["/api/in-force?limit=50", `/api/in-force?limit=50&asOf=${asOf}`], baseline: null },
      { c: "h1", tracker: ["/api/deadlines?asOf=1946-01-01&status=triggered&limit=1"], baseline: null },
      { c: "h2", tracker: [`/api/deadlines?limit=50&cursor=${deepCursor}`], baseline: null },
      { c: "h3", tracker: ["/scenarios/scenario-0", "/scenarios/scenario-1"], baseline: null },
    ];
    // Before any case is measured, each server serves every read case it has for a second: V8
    // optimises the code a request runs over its first seconds (traced on the tracker: 160
    // functions optimised during the first case's measured 6 s after a 1 s warm-up, 23 during the
    // second, 3 during the third), so without this the first case measured start-up, not serving.
    for (const k of cases.filter((x) => x.baseline)) {
      await load({ url: tracker.url, durationS: 1, paths: k.tracker });
      await load({ url: baseline.url, durationS: 1, paths: k.baseline! });
    }
    for (const k of cases) {
      const headers = k.method ? { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" } : undefined;
      // Warm-up, then the measured run; baseline right after, on the same database file.
      if (!k.method) await load({ url: tracker.url, durationS: 1, paths: k.tracker });
      // CPU a request: less moved by the machine's other load than req/s, it tells the code's cost from noise.
      const perRequest = async (pid: number, run: () => Promise<Awaited<ReturnType<typeof load>>>) => {
        const before = cpuMs(pid);
        const result = await run();
        return { ...result, cpuUs: result.requests ? Math.round(((cpuMs(pid) - before) / result.requests) * 1000) : 0 };
      };
      const t = await perRequest(tracker.child.pid!, () =>
        load({ url: tracker.url, durationS: DURATION_S, paths: k.tracker, method: k.method, headers, body: k.body }),
      );
      let b = null;
      if (k.baseline) {
        await load({ url: baseline.url, durationS: 1, paths: k.baseline });
        b = await perRequest(baseline.child.pid!, () => load({ url: baseline.url, durationS: DURATION_S, paths: k.baseline! }));
      }
      const row: Row = {
        case: k.c,
        size,
        tracker: { rps: t.rps, p50Ms: t.p50Ms, p99Ms: t.p99Ms, rssMb: peakRssMb(tracker.child.pid!), errors: t.errors + t.non2xx, cpuUs: t.cpuUs },
        baseline: b && { rps: b.rps, p50Ms: b.p50Ms, p99Ms: b.p99Ms, cpuUs: b.cpuUs },
        ratio: b ? Math.round((t.rps / b.rps) * 100) / 100 : null,
      };
      report.rows.push(row);
      console.log(
        `${size} ${k.c}: tracker ${t.rps} req/s p50 ${t.p50Ms} p99 ${t.p99Ms} ms, ${t.cpuUs} µs CPU a request (errors ${row.tracker.errors}, ${t.requests} requests)${b ? ` | baseline ${b.rps} req/s p99 ${b.p99Ms}, ${b.cpuUs} µs | ratio ${row.ratio}` : ""}`,
      );
    }
    await tracker.stop();
    await baseline.stop();
  }
  report.finishedAt = new Date().toISOString();
  writeReport(RESULTS, report);
  console.log(`wrote ${RESULTS}/latest.json, latest.md, p99.svg`);
}

await main();
