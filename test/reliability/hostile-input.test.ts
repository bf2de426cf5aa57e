import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NOVEMBER_DEADLINE, RARE_EARTH_CONDITION, SCENARIO, SOURCE, TARIFF_THREAT, TEST_TOKEN, type TestApp, testApp } from "../helpers/app.ts";
import { contentChecksum } from "../helpers/database.ts";

/** Fixed unless FUZZ_SEED is set, and printed, so any failure can be replayed. */
const SEED = Number(process.env.FUZZ_SEED ?? 20251023);
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const nasty = fc.constantFrom(
  "",
  " ",
  '\'; DROP TABLE "Threat"; --',
  '" OR 1=1 --',
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  "%",
  "_",
  "\\",
  "\u0000",
  "\ud800",
  "\udfff",
  "💥🇨🇳🇺🇸",
  "e\u0301",
  "\u202eevil",
  "2025-02-30",
  "2025-13-01",
  "9999-99-99T99:99:99Z",
  "-1",
  "1e309",
  "NaN",
  "null",
  "x".repeat(25_000),
);
const anyValue = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 3, arbitrary: nasty },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER * 4)) },
);

/** Valid bodies to start from; the generator drops, replaces and adds fields. */
const VALID: Record<string, Record<string, unknown>> = {
  "/api/scenarios": { title: "S", summary: "s" },
  "/api/threats": { scenarioId: SCENARIO, issuerId: "gov-us", measure: "tariff", covers: "c", summary: "s" },
  "/api/conditions": { threatId: TARIFF_THREAT, description: "d", effect: "averts" },
  "/api/deadlines": { threatId: TARIFF_THREAT, dueAt: "2026-01-01", precision: "day", wording: "w" },
  "/api/events": { title: "E", kind: "meeting", startsAt: "2026-01-01", precision: "day", wording: "w" },
  "/api/actors": { name: "A", kind: "person" },
  "/api/topics": { name: "T" },
  "/api/sources": { title: "T", publisher: "P", publishedAt: "2025-10-24", text: "Some text." },
  [`/api/threats/${TARIFF_THREAT}/status`]: { status: "suspended", reason: "r" },
  [`/api/conditions/${RARE_EARTH_CONDITION}/status`]: { status: "moot", reason: "r" },
  [`/api/deadlines/${NOVEMBER_DEADLINE}/status`]: { status: "extended", reason: "r", newDueAt: "2026-02-01" },
  "/api/events/event-apec-summit-2025/status": { status: "postponed", reason: "r" },
  [`/api/scenarios/${SCENARIO}/status`]: { status: "developing", reason: "r", evidence: { sourceId: SOURCE, quote: "APEC" } },
};
const PATCHES: Record<string, Record<string, unknown>> = {
  [`/api/threats/${TARIFF_THREAT}`]: { covers: "c" },
  "/api/events/event-apec-summit-2025": { place: "p" },
  "/api/actors/gov-us": { role: "r" },
  [`/api/sources/${SOURCE}`]: { url: "https://example.org/a" },
};
const QUERIES = [
  "/api/deadlines",
  "/api/threats",
  "/api/events",
  "/api/conditions",
  "/api/scenarios",
  "/api/actors",
  "/api/topics",
  "/api/sources",
  "/api/changes",
];
const PARAMS = ["status", "asOf", "within", "scenario", "actor", "topic", "q", "limit", "cursor", "format", "since"];

const mutatedBody = (base: Record<string, unknown>) =>
  fc
    .record({
      drop: fc.subarray(Object.keys(base)),
      set: fc.dictionary(fc.constantFrom(...Object.keys(base), "status", "version", "id", "__proto__", "extra"), anyValue, { maxKeys: 3 }),
    })
    .map(({ drop, set }) => {
      const body: Record<string, unknown> = { ...base };
      for (const k of drop) delete body[k];
      return Object.assign(body, set);
    });

type Request = { method: string; path: string; body?: string | Uint8Array; contentType?: string };

const writeRequest: fc.Arbitrary<Request> = fc.oneof(
  fc.constantFrom(...Object.entries(VALID)).chain(([path, base]) => mutatedBody(base).map((b) => ({ method: "POST", path, body: JSON.stringify(b) }))),
  fc.constantFrom(...Object.entries(PATCHES)).chain(([path, base]) => mutatedBody(base).map((b) => ({ method: "PATCH", path, body: JSON.stringify(b) }))),
  fc.record({
    method: fc.constantFrom("POST", "PATCH"),
    path: fc.constantFrom(...Object.keys(VALID), ...Object.keys(PATCHES)),
    body: anyValue.map((v) => JSON.stringify(v) ?? "null"),
  }),
  fc.record({
    method: fc.constant("POST"),
    path: fc.constantFrom(...Object.keys(VALID)),
    body: fc.oneof(
      fc.constantFrom("{", '{"a":', "[".repeat(100_000), `{"name":"\\ud800"}`, '{"name": "x" "y"}', "\u0000"),
      fc.uint8Array({ maxLength: 64 }).map((bytes) => Uint8Array.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, ...bytes, 0x22, 0x7d])),
    ),
  }),
  fc.record({
    method: fc.constant("POST"),
    path: fc
      .tuple(fc.constantFrom("threats", "conditions", "deadlines", "events", "scenarios", "actors"), fc.oneof(nasty, fc.string({ maxLength: 30 })))
      .map(([c, id]) => `/api/${c}/${safeEncode(id) || "x"}/status`),
    body: fc.constant(JSON.stringify({ status: "met", reason: "r" })),
  }),
);

const queryRequest: fc.Arbitrary<Request> = fc
  .record({
    path: fc.constantFrom(...QUERIES),
    params: fc.dictionary(fc.constantFrom(...PARAMS), fc.oneof(nasty, fc.string({ maxLength: 30 }), fc.integer().map(String)), { maxKeys: 4 }),
  })
  .map(({ path, params }) => ({ method: "GET", path: `${path}?${new URLSearchParams(params).toString()}` }));

/** Percent-encodes; a lone surrogate becomes the (invalid UTF-8) bytes of a surrogate, which is hostile too. */
function safeEncode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return "%ED%A0%80";
  }
}

let sent = 0;
let accepted = 0;

async function send(r: Request): Promise<Response> {
  sent++;
  return t.app.request(r.path, {
    method: r.method,
    headers: r.method === "GET" ? {} : { Authorization: `Bearer ${TEST_TOKEN}`, "Content-Type": r.contentType ?? "application/json" },
    body: r.body as BodyInit | undefined,
  });
}

function dataVersion(): number {
  return t.db.reader.pragma("data_version", { simple: true }) as number;
}

describe(`hostile and malformed input (fast-check seed ${SEED}, ${RUNS} runs)`, () => {
  it("never answers 5xx; every rejection is a problem naming the field and changes nothing; accepted strings come back byte for byte", async () => {
    console.log(`hostile-input: fast-check seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
    let checksum = contentChecksum(t.db);
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 3, arbitrary: writeRequest }, { weight: 1, arbitrary: queryRequest }), async (r) => {
        const before = dataVersion();
        const res = await send(r);
        expect(res.status, `${r.method} ${r.path}`).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.headers.get("Content-Type")).toBe("application/problem+json");
          const body = (await res.json()) as { type: string; title: string; status: number; detail: string; errors?: { field: string; problem: string }[] };
          expect(body.status).toBe(res.status);
          expect(typeof body.title).toBe("string");
          expect(typeof body.detail).toBe("string");
          if (res.status === 422) {
            expect(body.errors?.length).toBeGreaterThan(0);
            for (const e of body.errors!) expect(e.field.length).toBeGreaterThan(0);
          }
          expect(dataVersion()).toBe(before);
          // A full checksum now and then, on top of SQLite's own change counter.
          if (++rejected % 250 === 0) {
            expect(contentChecksum(t.db)).toBe(checksum);
          }
          return;
        }
        accepted++;
        if (r.method !== "GET" && typeof r.body === "string") {
          const sentBody = JSON.parse(r.body) as Record<string, unknown>;
          const got = (await res.json()) as Record<string, unknown>;
          const record = (r.path.endsWith("/status") ? got.record : got) as Record<string, unknown>;
          for (const [k, v] of Object.entries(sentBody)) {
            if (typeof v === "string" && k in record && !/At$/.test(k)) expect(record[k], k).toBe(v);
          }
        }
        checksum = contentChecksum(t.db);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    console.log(`hostile-input: ${sent} requests sent, ${accepted} accepted, ${sent - accepted} rejected with 4xx, 0 with 5xx`);
    expect(sent).toBeGreaterThanOrEqual(RUNS);
  }, 600_000);
});
