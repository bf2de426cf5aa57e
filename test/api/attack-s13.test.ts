import { afterEach, describe, expect, it } from "vitest";
import { created, NOVEMBER_DEADLINE, RARE_EARTH_CONDITION, refused, SCENARIO, SOURCE, TARIFF_THREAT, type TestApp, testApp } from "../helpers/app.ts";
import { contentChecksum } from "../helpers/database.ts";

// Found by an attack on the write routes of main at ff3702b (session 12, left unfixed), through the HTTP app.

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
const json = async (r: Response) => (await r.json()) as any;

/** A threat of the seeded scenario, first stated on 1 October 2025. */
const newThreat = async (app: TestApp, covers: string) =>
  (await created(app, "/api/threats", { scenarioId: SCENARIO, issuerId: "gov-us", measure: "tariff", covers, summary: covers, effectiveAt: "2025-10-01" }))
    .id as string;
const newDeal = async (app: TestApp, title: string) =>
  (await created(app, "/api/agreements", { title, partyIds: ["gov-us", "gov-cn"], status: "in-force", effectiveAt: "2025-10-02" })).id as string;

describe("a move to superseded", () => {
  it("names what replaces the record on every path, a correction's included: 422 naming supersededById, nothing written", async () => {
    t = await testApp();
    const [old, successor] = [await newThreat(t, "old"), await newThreat(t, "successor")];
    const [deal, newer] = [await newDeal(t, "Deal"), await newDeal(t, "Newer deal")];
    expect((await t.write("POST", `/api/threats/${old}/status`, { status: "imposed", reason: "r", effectiveAt: "2025-10-05" })).status).toBe(200);
    const before = contentChecksum(t.db);
    for (const correction of [false, true]) {
      await refused(
        await t.write("POST", `/api/threats/${old}/status`, { status: "superseded", reason: "Replaced", effectiveAt: "2025-10-10", correction }),
        "supersededById",
      );
      await refused(
        await t.write("POST", `/api/agreements/${deal}/status`, { status: "superseded", reason: "Replaced", effectiveAt: "2025-10-10", correction }),
        "supersededById",
      );
    }
    expect(contentChecksum(t.db)).toBe(before);
    // A threat is not created superseded, as an agreement is not: its successor is named by a status change.
    for (const [path, body] of [
      ["/api/threats", { scenarioId: SCENARIO, issuerId: "gov-us", measure: "tariff", covers: "c", summary: "s", effectiveAt: "2025-10-01" }],
      ["/api/agreements", { title: "Deal 3", partyIds: ["gov-us", "gov-cn"], effectiveAt: "2025-10-02" }],
    ] as const) {
      const text = await refused(await t.write("POST", path, { ...body, status: "superseded" }), "status");
      expect(text).toContain("supersededById");
    }
    expect(contentChecksum(t.db)).toBe(before);
    // With the successor named, a correction records it, and the record reads superseded by it.
    for (const [collection, id, by] of [
      ["threats", old, successor],
      ["agreements", deal, newer],
    ] as const) {
      const res = await t.write("POST", `/api/${collection}/${id}/status`, {
        status: "superseded",
        reason: "Misrecorded: it was replaced",
        effectiveAt: "2025-10-10",
        correction: true,
        supersededById: by,
      });
      expect(res.status, await res.clone().text()).toBe(200);
      expect((await json(await t.get(`/api/${collection}/${id}?asOf=2025-10-11`))).supersededById).toBe(by);
    }
  });
});

describe("a suspension's end by its terms", () => {
  it("is a return or a lapse, never a court's ruling nor a withdrawal nobody reported: 422 naming then, nothing written", async () => {
    t = await testApp();
    const before = contentChecksum(t.db);
    const suspend = (then: string, threat = TARIFF_THREAT) =>
      t!.write("POST", `/api/threats/${threat}/status`, {
        status: "suspended",
        reason: "Suspended for a year",
        effectiveAt: "2025-11-10",
        until: "2026-11-10",
        then,
      });
    for (const then of ["struck-down", "withdrawn", "superseded"]) await refused(await suspend(then), "then");
    expect(contentChecksum(t.db)).toBe(before);
    for (const [then, threat] of [
      ["threatened", TARIFF_THREAT],
      ["lapsed", "threat-cn-rare-earth-export-controls"],
    ] as const) {
      const res = await suspend(then, threat);
      expect(res.status, await res.clone().text()).toBe(200);
      expect((await json(await t.get(`/api/threats/${threat}?asOf=2026-11-11`))).status).toBe(then);
    }
  });
});

describe("free text", () => {
  const hostile = [
    ["a NUL", "Tariff\u0000"],
    ["a bell", "Tariff \u0007"],
    ["an escape", "\u001b[31mTariff"],
    ["a vertical tab", "Tariff\u000bcut"],
    ["a DEL", "Tariff\u007f"],
    ["a C1 control", "Tariff\u009b1m"],
    ["a right-to-left override", "\u202eTariff"],
    ["a left-to-right embedding", "Tariff \u202acut\u202c"],
    ["a right-to-left isolate", "Tariff \u2067cut\u2069"],
    ["a byte-order mark", "\ufeffTariff"],
    ["a form feed", "Tariff\fcut"],
  ] as const;
  /** What an article's text and its quotes take as published (textCharacterProblem's verbatim). */
  const VERBATIM_TAKES = ["a left-to-right embedding", "a right-to-left isolate", "a byte-order mark", "a form feed"];
  const VERBATIM_FIELDS = ["quote", "evidence.quote", "text"];

  it.each(hostile)("with %s is 422 naming the field wherever text is taken, nothing written", async (what, text) => {
    t = await testApp();
    const before = contentChecksum(t.db);
    const deal = "agreement-none";
    for (const [method, path, body, field] of [
      ["POST", `/api/threats/${TARIFF_THREAT}/status`, { status: "suspended", reason: text }, "reason"],
      ["POST", `/api/threats/${TARIFF_THREAT}/terms`, { authority: text, reason: "r", effectiveAt: "2025-12-01" }, "authority"],
      ["POST", "/api/deadlines", { threatId: TARIFF_THREAT, dueAt: "2026-01-01", precision: "day", wording: text }, "wording"],
      ["PATCH", `/api/deadlines/${NOVEMBER_DEADLINE}`, { wording: text }, "wording"],
      ["POST", "/api/conditions", { threatId: TARIFF_THREAT, description: text, effect: "averts" }, "description"],
      ["POST", "/api/commitments", { agreementId: deal, partyId: "gov-cn", description: text, kind: "purchase" }, "description"],
      ["POST", "/api/events", { title: text, kind: "meeting", startsAt: "2026-01-01", precision: "day", wording: "w" }, "title"],
      ["PATCH", `/api/threats/${TARIFF_THREAT}`, { summary: text }, "summary"],
      ["POST", `/api/threats/${TARIFF_THREAT}/evidence`, { sourceId: SOURCE, quote: text }, "quote"],
      [
        "POST",
        `/api/conditions/${RARE_EARTH_CONDITION}/status`,
        { status: "moot", reason: "r", evidence: { sourceId: SOURCE, quote: text } },
        "evidence.quote",
      ],
      ["POST", "/api/sources", { title: "T", publisher: "P", publishedAt: "2025-10-24", text: `Some text. ${text}` }, "text"],
      ["POST", "/api/sources", { title: text, publisher: "P", publishedAt: "2025-10-24", url: "https://example.org/a" }, "title"],
    ] as const) {
      if (VERBATIM_TAKES.includes(what) && VERBATIM_FIELDS.includes(field)) continue;
      const problem = await refused(await t.write(method, path, body), field);
      expect(problem).toMatch(/U\+[0-9A-F]{4}/);
    }
    expect(contentChecksum(t.db)).toBe(before);
  });

  it("keeps tabs, line breaks, joiners and marks that scripts and emoji need", async () => {
    t = await testApp();
    for (const text of ["Line one\nline two\r\n\tindented", "👩\u200d👩\u200d👧 families", "می\u200cخواهم", "עברית \u200fשלום\u200e", "ภาษา\u200bไทย"]) {
      const res = await t.write("PATCH", `/api/threats/${TARIFF_THREAT}`, { summary: text });
      expect(res.status, await res.clone().text()).toBe(200);
      expect((await json(await t.get(`/api/threats/${TARIFF_THREAT}`))).summary).toBe(text);
    }
  });
});

describe("an article's text and its quotes", () => {
  it("are stored as published: form feeds, bidi embeddings and isolates, a byte-order mark; never an override", async () => {
    t = await testApp();
    const text = "\ufeffPage one.\fقال \u2067Trump\u2069 إن \u202aIEEPA\u202c tariffs stay.";
    const res = await t.write("POST", "/api/sources", { title: "Verbatim", publisher: "P", publishedAt: "2025-10-24", text });
    expect(res.status, await res.clone().text()).toBe(201);
    const source = (await json(res)).id as string;
    const stored = t.db.reader.prepare('SELECT "text" FROM "Source" WHERE "id" = ?').get(source) as { text: string };
    expect(stored.text).toBe(text);
    // A quote across the isolates is an exact slice of the text, verified.
    const quote = "قال \u2067Trump\u2069";
    const cited = await t.write("POST", `/api/threats/${TARIFF_THREAT}/evidence`, { sourceId: source, quote });
    expect(cited.status, await cited.clone().text()).toBe(201);
    expect((await json(cited)).startOffset).toBe(text.indexOf(quote));
    const before = contentChecksum(t.db);
    await refused(await t.write("POST", "/api/sources", { title: "Override", publisher: "P", publishedAt: "2025-10-24", text: "a \u202eb" }), "text");
    await refused(await t.write("POST", `/api/threats/${TARIFF_THREAT}/evidence`, { sourceId: source, quote: "Page\u0000" }), "quote");
    expect(contentChecksum(t.db)).toBe(before);
  });
});

describe("a source's URL", () => {
  it("carries no credentials: user or password in it is 422 naming url, nothing written", async () => {
    t = await testApp();
    const before = contentChecksum(t.db);
    for (const url of [
      "https://user:pw@example.org/a",
      "https://user@example.org/a",
      "http://:pw@example.org/a",
      "https://@example.org/a",
      "https://:@example.org/a",
    ]) {
      await refused(await t.write("POST", "/api/sources", { title: "T", publisher: "P", publishedAt: "2025-10-24", url }), "url");
      await refused(await t.write("PATCH", `/api/sources/${SOURCE}`, { url }), "url");
    }
    expect(contentChecksum(t.db)).toBe(before);
    const res = await t.write("POST", "/api/sources", { title: "T", publisher: "P", publishedAt: "2025-10-24", url: "https://example.org/a@b" });
    expect(res.status, await res.clone().text()).toBe(201);
  });
});

describe("If-Match", () => {
  const path = "/api/events/event-apec-summit-2025";
  const move = (app: TestApp, ifMatch: string, startsAt: string) =>
    app.write("POST", `${path}/dates`, { startsAt, precision: "day", reason: "Moved" }, { "If-Match": ifMatch });

  it("compares strongly: a weak tag never matches, 412 and nothing written", async () => {
    t = await testApp();
    const etag = (await t.get(path)).headers.get("ETag")!;
    const before = contentChecksum(t.db);
    for (const ifMatch of [`W/${etag}`, ` W/${etag} `, `W/${etag}, W/"999"`]) {
      const res = await move(t, ifMatch, "2025-11-02");
      expect(res.status, await res.clone().text()).toBe(412);
      expect((await json(res)).detail).toContain("weak");
    }
    const patched = await t.write("PATCH", `/api/actors/gov-us`, { role: "r" }, { "If-Match": 'W/"1"' });
    expect(patched.status).toBe(412);
    expect(contentChecksum(t.db)).toBe(before);
  });

  it("matches a list when any member matches, and * any existing record", async () => {
    t = await testApp();
    const before = contentChecksum(t.db);
    for (const ifMatch of ['"7", "8"', '"7",W/"1"']) expect((await move(t, ifMatch, "2025-11-02")).status).toBe(412);
    expect(contentChecksum(t.db)).toBe(before);
    const first = await move(t, '"7", "1", "8"', "2025-11-02");
    expect(first.status, await first.clone().text()).toBe(200);
    const etag = (await t.get(path)).headers.get("ETag")!;
    expect(etag).toBe('"2"');
    expect((await move(t, `W/"2", "3",${etag}`, "2025-11-03")).status).toBe(200);
    expect((await move(t, "*", "2025-11-04")).status).toBe(200);
    expect((await t.write("PATCH", "/api/actors/gov-us", { role: "r" }, { "If-Match": '"5", "1"' })).status).toBe(200);
    expect(
      (await t.write("POST", "/api/events/event-none/dates", { startsAt: "2025-11-02", precision: "day", reason: "Moved" }, { "If-Match": "*" })).status,
    ).toBe(404);
  });
});

describe("a PATCH that changes nothing", () => {
  it("writes nothing: 422 naming each field given, its version and ETag unchanged", async () => {
    t = await testApp();
    // Each record with the fields given as they stand.
    const sameOf: [string, (r: any) => Record<string, unknown>][] = [
      [`/api/threats/${TARIFF_THREAT}`, (r) => ({ summary: r.summary, isAdditional: r.isAdditional })],
      [`/api/deadlines/${NOVEMBER_DEADLINE}`, (r) => ({ wording: r.wording })],
      ["/api/actors/gov-us", (r) => ({ role: r.role, country: r.country })],
      [`/api/sources/${SOURCE}`, (r) => ({ title: r.title, url: r.url })],
      ["/api/events/event-apec-summit-2025", (r) => ({ title: r.title, topicIds: r.topics.map((x: any) => x.id).reverse() })],
    ];
    const cases: [string, Record<string, unknown>][] = [];
    for (const [path, same] of sameOf) cases.push([path, {}], [path, same(await json(await t.get(path)))]);
    const before = contentChecksum(t.db);
    for (const [path, body] of cases) {
      const etag = (await t.get(path)).headers.get("ETag");
      const res = await t.write("PATCH", path, body);
      const text = await res.text();
      expect(res.status, `${path} ${JSON.stringify(body)}: ${text}`).toBe(422);
      const fields = JSON.parse(text).errors.map((e: any) => e.field);
      expect(fields).toEqual(Object.keys(body).length ? Object.keys(body) : ["body"]);
      expect((await t.get(path)).headers.get("ETag")).toBe(etag);
    }
    expect(contentChecksum(t.db)).toBe(before);
    // A condition's fact given as it stands, with nothing else: nothing to correct either.
    const condition = await json(await t.get(`/api/conditions/${RARE_EARTH_CONDITION}`));
    await refused(await t.write("PATCH", `/api/conditions/${RARE_EARTH_CONDITION}`, { effect: condition.effect }), "effect");
    expect(contentChecksum(t.db)).toBe(before);
    // One field that changes among unchanged ones is an edit, and moves the version on once.
    const threat = await json(await t.get(`/api/threats/${TARIFF_THREAT}`));
    const res = await t.write("PATCH", `/api/threats/${TARIFF_THREAT}`, { summary: "Edited", isAdditional: threat.isAdditional });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("ETag")).toBe(`"${threat.version + 1}"`);
  });
});

describe("a commitment's due date", () => {
  it("does not fall before the commitment is made, read at its precision: 422 naming dueAt, nothing written", async () => {
    t = await testApp();
    const deal = await newDeal(t, "Deal");
    const before = contentChecksum(t.db);
    for (const [dueAt, precision] of [
      ["2025-10-01", "day"],
      ["2025-11-09", "day"],
      ["2025-10-01", "month"],
    ]) {
      await refused(
        await t.write("POST", "/api/commitments", {
          agreementId: deal,
          partyId: "gov-cn",
          description: "Buy soybeans",
          kind: "purchase",
          effectiveAt: "2025-11-10",
          dueAt,
          precision,
          wording: "by then",
        }),
        "dueAt",
      );
    }
    expect(contentChecksum(t.db)).toBe(before);
    // Due within the month it is made in, or on its own day, it is recorded.
    for (const [dueAt, precision] of [
      ["2025-11-01", "month"],
      ["2025-11-10", "day"],
    ]) {
      const res = await t.write("POST", "/api/commitments", {
        agreementId: deal,
        partyId: "gov-cn",
        description: `Buy soybeans ${precision}`,
        kind: "purchase",
        effectiveAt: "2025-11-10",
        dueAt,
        precision,
        wording: "by then",
      });
      expect(res.status, await res.clone().text()).toBe(201);
    }
  });
});

describe("a deadline's detail", () => {
  it("embeds the agreement its agreementId names: a commitment's, an agreement condition's and an expiry's, as it stood then", async () => {
    t = await testApp();
    const deal = await created(t, "/api/agreements", {
      title: "Truce",
      partyIds: ["gov-us", "gov-cn"],
      status: "in-force",
      effectiveAt: "2025-11-10",
      expiresAt: "2026-11-10",
    });
    const corn = await created(t, "/api/commitments", {
      agreementId: deal.id,
      partyId: "gov-cn",
      description: "Buy corn",
      kind: "purchase",
      effectiveAt: "2025-11-10",
      dueAt: "2026-03-01",
      precision: "day",
      wording: "by March",
    });
    const condition = await created(t, "/api/conditions", { agreementId: deal.id, description: "Fentanyl", effect: "triggers", effectiveAt: "2025-11-10" });
    const conditionDeadline = await created(t, "/api/deadlines", {
      conditionId: condition.id,
      dueAt: "2026-02-01",
      precision: "day",
      wording: "by February",
      effectiveAt: "2025-11-10",
    });
    const expiry = (await json(await t.get(`/api/agreements/${deal.id}`))).deadlines[0].id;
    expect((await t.write("POST", `/api/agreements/${deal.id}/status`, { status: "suspended", reason: "Suspended", effectiveAt: "2025-12-01" })).status).toBe(
      200,
    );
    for (const id of [corn.deadlines[0].id, conditionDeadline.id, expiry]) {
      for (const [asOf, status] of [
        ["2025-11-20", "in-force"],
        ["2025-12-02", "suspended"],
      ]) {
        const d = await json(await t.get(`/api/deadlines/${id}?asOf=${asOf}`));
        expect(d.agreementId, id).toBe(deal.id);
        expect(d.agreement, id).toMatchObject({ id: deal.id, title: "Truce", status });
      }
    }
  });
});
