import { hc } from "hono/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/api/create-app.ts";
import { NOVEMBER_DEADLINE, RARE_EARTH_CONDITION, SCENARIO, SOURCE, TARIFF_THREAT, type TestApp, testApp } from "../helpers/app.ts";
import { contentChecksum } from "../helpers/database.ts";

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const json = async (res: Response) => (await res.json()) as any;

/** A citation: a source known by its details and URL, without its text. */
async function citation(title: string, kind = "official"): Promise<string> {
  const res = await t.write("POST", "/api/sources", {
    title,
    publisher: "Ministry of Commerce of the PRC",
    kind,
    url: `https://example.org/notices/${encodeURIComponent(title)}`,
    publishedAt: "2025-10-30",
  });
  expect(res.status).toBe(201);
  return (await json(res)).id;
}

describe("sources as citations", () => {
  it("stores a source without text as a citation, with its kind and no hash or proposals", async () => {
    const res = await t.write("POST", "/api/sources", {
      title: "Announcement No. 70 of 2025",
      publisher: "Ministry of Commerce of the PRC",
      kind: "official",
      url: "https://example.org/notices/70",
      publishedAt: "2025-10-09",
    });
    expect(res.status).toBe(201);
    const source = await json(res);
    expect(source).toMatchObject({ kind: "official", text: null, sha256: null, proposals: [] });
    expect(res.headers.get("Location")).toBe(`/api/sources/${source.id}`);
    // Two citations are two sources: only a text is deduplicated.
    expect(
      (await t.write("POST", "/api/sources", { title: "Another", publisher: "MOFCOM", url: "https://example.org/notices/70", publishedAt: "2025-10-09" }))
        .status,
    ).toBe(201);
  });

  it("refuses a citation without a URL, and an unknown kind, naming the field and changing nothing", async () => {
    const before = contentChecksum(t.db);
    const noUrl = await t.write("POST", "/api/sources", { title: "Rumour", publisher: "Someone", publishedAt: "2025-10-09" });
    expect(noUrl.status).toBe(422);
    expect((await json(noUrl)).errors).toEqual([expect.objectContaining({ field: "url" })]);
    const badKind = await t.write("POST", "/api/sources", { title: "x", publisher: "y", kind: "blog", url: "https://example.org", publishedAt: "2025-10-09" });
    expect(badKind.status).toBe(422);
    expect((await json(badKind)).errors[0].field).toBe("kind");
    // Published ahead of now, or a text of blanks: refused too.
    const ahead = await t.write("POST", "/api/sources", { title: "x", publisher: "y", kind: "press", url: "https://example.org/a", publishedAt: "2099-11-20" });
    expect(ahead.status).toBe(422);
    expect((await json(ahead)).errors[0].field).toBe("publishedAt");
    const blank = await t.write("POST", "/api/sources", { title: "x", publisher: "y", publishedAt: "2025-10-09", text: "   \n  " });
    expect(blank.status).toBe(422);
    expect((await json(blank)).errors[0].field).toBe("text");
    expect(contentChecksum(t.db)).toBe(before);
  });

  it("keeps a citation's quotes as given, marked unverified, on every path that takes evidence", async () => {
    const sourceId = await citation("Suspension of export controls");
    const quote = "the implementation of the measures announced on October 9 is suspended for one year";
    const attached = await t.write("POST", `/api/conditions/${RARE_EARTH_CONDITION}/evidence`, { sourceId, quote });
    expect(attached.status).toBe(201);
    expect(await json(attached)).toMatchObject({ quote, verification: "unverified", startOffset: null, endOffset: null, stance: "supports", speakerId: null });
    // Attaching the same quote again is one row.
    expect((await t.write("POST", `/api/conditions/${RARE_EARTH_CONDITION}/evidence`, { sourceId, quote })).status).toBe(200);

    const created = await t.write("POST", "/api/deadlines", {
      wording: "for one year",
      dueAt: "2026-11-10",
      precision: "day",
      scenarioId: SCENARIO,
      evidence: [{ sourceId, quote: "suspended for one year" }],
    });
    expect(created.status).toBe(201);
    expect((await json(created)).evidence).toEqual([expect.objectContaining({ quote: "suspended for one year", verification: "unverified" })]);

    const moved = await t.write("POST", `/api/scenarios/${SCENARIO}/status`, {
      status: "de-escalating",
      reason: "Export controls suspended",
      evidence: { sourceId, quote: "is suspended for one year" },
    });
    expect(moved.status).toBe(200);
    const entry = (await json(moved)).entry;
    const scenario = await json(await t.get(`/api/scenarios/${SCENARIO}`));
    expect(scenario.evidence).toContainEqual(expect.objectContaining({ id: entry.evidenceId, verification: "unverified", quote: "is suspended for one year" }));

    // The desk's source page lists a citation's quotes, marked unverified.
    const page = await t.get(`/sources/${sourceId}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("A citation: no text is stored");
    expect(html).toContain(`“${quote}” <span class="badge unverified">unverified</span>`);
  });

  it("still checks a quote of a source with text verbatim, with offsets", async () => {
    const wrong = await t.write("POST", `/api/threats/${TARIFF_THREAT}/evidence`, { sourceId: SOURCE, quote: "a 150% tariff" });
    expect(wrong.status).toBe(422);
    expect((await json(wrong)).errors).toEqual([{ field: "quote", problem: "is not a verbatim quote of the source's text" }]);
    const right = await t.write("POST", `/api/deadlines/${NOVEMBER_DEADLINE}/evidence`, { sourceId: SOURCE, quote: "an additional 100% tariff" });
    expect(right.status).toBe(201);
    const body = await json(right);
    expect(body).toMatchObject({ verification: "verbatim", recordKind: "deadline", recordId: NOVEMBER_DEADLINE });
    const text = (await json(await t.get(`/api/sources/${SOURCE}`))).text as string;
    expect(text.slice(body.startOffset, body.endOffset)).toBe("an additional 100% tariff");
  });

  it("keeps the same place in two articles as two quotes, and a seeded quote cited again as one", async () => {
    const record = "event-trump-takaichi-meeting";
    const ids: string[] = [];
    for (const text of ["Talks resume in Tokyo on Monday.", "Talks resume in Tokyo on Friday."]) {
      const source = await json(await t.write("POST", "/api/sources", { title: text, publisher: "Desk", publishedAt: "2025-10-25", text }));
      const res = await t.write("POST", `/api/events/${record}/evidence`, { sourceId: source.id, quote: "Talks resume in Tokyo" });
      expect(res.status).toBe(201);
      ids.push((await json(res)).id);
    }
    expect(new Set(ids).size).toBe(2);
    const event = await json(await t.get(`/api/events/${record}`));
    expect(event.evidence.filter((e: any) => e.quote === "Talks resume in Tokyo")).toHaveLength(2);

    const seeded = event.evidence.find((e: any) => e.sourceId === SOURCE);
    const again = await t.write("POST", `/api/events/${record}/evidence`, { sourceId: SOURCE, quote: seeded.quote });
    expect(again.status).toBe(200);
    expect((await json(again)).id).toBe(seeded.id);
    const moved = await t.write("POST", `/api/events/${record}/status`, { status: "held", reason: "Met", evidence: { sourceId: SOURCE, quote: seeded.quote } });
    expect((await json(moved)).entry.evidenceId).toBe(seeded.id);
  });

  it("links a republished wire story to the original as a copy", async () => {
    const wire = {
      title: "China suspends curbs",
      publisher: "Wire",
      kind: "wire",
      publishedAt: "2025-11-01",
      text: "BEIJING - China suspended its rare earth curbs on Saturday.",
    };
    const original = await json(await t.write("POST", "/api/sources", wire));
    const copy = await t.write("POST", "/api/sources", {
      ...wire,
      title: "Beijing pauses rare earth rules",
      publisher: "A portal",
      kind: "aggregator",
      text: `${wire.text}\nRead more on our site.`,
      copyOfId: original.id,
    });
    expect(copy.status).toBe(201);
    expect(await json(copy)).toMatchObject({ copyOfId: original.id, kind: "aggregator" });
    const unknown = await t.write("POST", "/api/sources", { ...wire, text: "Other text", copyOfId: "source-nope" });
    expect(unknown.status).toBe(422);
    expect((await json(unknown)).errors).toEqual([{ field: "copyOfId", problem: 'no source with id "source-nope"' }]);
    // A copy found later is linked by an edit.
    const later = await json(await t.write("POST", "/api/sources", { ...wire, title: "Rare earth rules paused", text: `${wire.text} (republished)` }));
    const linked = await t.write("PATCH", `/api/sources/${later.id}`, { copyOfId: original.id });
    expect(linked.status).toBe(200);
    expect((await json(linked)).copyOfId).toBe(original.id);
    // The same text under another title is still the one source.
    const again = await t.write("POST", "/api/sources", { ...wire, title: "Same story, new headline" });
    expect(again.status).toBe(409);
    expect((await json(again)).detail).toContain(original.id);
  });
});

describe("speakers and disputes", () => {
  it("holds a disputing quote against a fact, with its speaker, and shows both sides on the record", async () => {
    const sourceId = await citation("Press conference, 30 October");
    const disputing = await t.write("POST", `/api/threats/${TARIFF_THREAT}/evidence`, {
      sourceId,
      quote: "there is no 100% tariff on the table",
      speakerId: "person-scott-bessent",
      stance: "disputes",
    });
    expect(disputing.status).toBe(201);
    expect(await json(disputing)).toMatchObject({ stance: "disputes", speakerId: "person-scott-bessent" });

    const threat = await json(await t.get(`/api/threats/${TARIFF_THREAT}`));
    expect(threat.disputed).toBe(true);
    expect(threat.evidence.filter((e: any) => e.stance === "supports").length).toBeGreaterThan(0);
    expect(threat.evidence).toContainEqual(
      expect.objectContaining({ stance: "disputes", speaker: { id: "person-scott-bessent", name: "Scott Bessent" }, verification: "unverified" }),
    );
    const undisputed = await json(await t.get(`/api/events/event-apec-summit-2025`));
    expect(undisputed.disputed).toBe(false);

    // The desk's scenario page shows the threat's two sides, the speaker and the unverified quote.
    const page = await (await t.get(`/scenarios/${SCENARIO}`)).text();
    const section = page.slice(page.indexOf(`id="${TARIFF_THREAT}"`), page.indexOf("</section>", page.indexOf(`id="${TARIFF_THREAT}"`)));
    expect(section).toContain('aria-label="Disputed: sources disagree"');
    expect(section).toMatch(/<h4>Supports<\/h4><blockquote class="quote">“The U\.S\. president has warned/);
    expect(section).toMatch(/<h4>Disputes<\/h4><blockquote class="quote disputes">“there is no 100% tariff on the table” — Scott Bessent, in /);
    expect(section).toContain('<span class="badge unverified"');
  });

  it("takes speaker and stance in a status change's evidence and in a create's", async () => {
    const sourceId = await citation("Readout of the call");
    const moved = await t.write("POST", "/api/events/event-bessent-he-lifeng-malaysia/status", {
      status: "held",
      reason: "The two met in Kuala Lumpur",
      evidence: { sourceId, quote: "held candid and in-depth talks", speakerId: "person-he-lifeng" },
    });
    expect(moved.status).toBe(200);
    const event = await json(await t.get("/api/events/event-bessent-he-lifeng-malaysia"));
    expect(event.evidence).toContainEqual(
      expect.objectContaining({ quote: "held candid and in-depth talks", speaker: { id: "person-he-lifeng", name: "He Lifeng" } }),
    );

    const topic = await t.write("POST", "/api/topics", { name: "Soybeans" });
    const topicId = (await json(topic)).id;
    const threat = await t.write("POST", "/api/threats", {
      scenarioId: SCENARIO,
      issuerId: "gov-cn",
      targetIds: ["gov-us"],
      measure: "other",
      covers: "US soybeans",
      summary: "China stops buying US soybeans",
      topicIds: [topicId],
      evidence: [{ sourceId, quote: "purchases will resume", stance: "disputes", speakerId: "person-he-lifeng" }],
    });
    expect(threat.status).toBe(201);
    expect((await json(threat)).evidence).toEqual([expect.objectContaining({ stance: "disputes", speakerId: "person-he-lifeng" })]);
  });

  it("refuses an unknown speaker, record or stance, and a missing token, changing nothing", async () => {
    const before = contentChecksum(t.db);
    const quote = { sourceId: SOURCE, quote: "an additional 100% tariff" };
    const speaker = await t.write("POST", `/api/threats/${TARIFF_THREAT}/evidence`, { ...quote, speakerId: "person-nobody" });
    expect(speaker.status).toBe(422);
    expect((await json(speaker)).errors).toEqual([{ field: "speakerId", problem: 'no actor with id "person-nobody"' }]);
    const statusSpeaker = await t.write("POST", `/api/threats/${TARIFF_THREAT}/status`, {
      status: "imposed",
      reason: "r",
      evidence: { ...quote, speakerId: "person-nobody" },
    });
    expect(statusSpeaker.status).toBe(422);
    expect((await json(statusSpeaker)).errors[0].field).toBe("evidence.speakerId");
    expect((await t.write("POST", "/api/threats/threat-nope/evidence", quote)).status).toBe(404);
    const stance = await t.write("POST", `/api/threats/${TARIFF_THREAT}/evidence`, { ...quote, stance: "maybe" });
    expect(stance.status).toBe(422);
    expect((await json(stance)).errors[0].field).toBe("stance");
    const collection = await t.write("POST", `/api/sources/${SOURCE}/evidence`, quote);
    expect(collection.status).toBe(422);
    expect((await json(collection)).errors[0].field).toBe("param.collection");
    const noToken = await t.app.request(`/api/threats/${TARIFF_THREAT}/evidence`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(quote),
    });
    expect(noToken.status).toBe(401);
    expect(contentChecksum(t.db)).toBe(before);
  });
});

describe("the contract", () => {
  it("declares the new routes in the OpenAPI document", async () => {
    const doc = await json(await t.get("/openapi.json"));
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/sources", "/api/sources/{id}/proposals", "/api/{collection}/{id}/evidence"]));
    expect(doc.paths["/api/sources"].post.responses["201"].content["application/json"].schema.$ref).toBe("#/components/schemas/SourceWithProposals");
    expect(doc.components.schemas.EvidenceInput.properties).toHaveProperty("stance");
  });

  it("knows the source and evidence routes and their bodies", async () => {
    const client = hc<App>("http://tradewatch.test", {
      fetch: (input: RequestInfo | URL, init?: RequestInit) => t.app.request(input, init),
      headers: { Authorization: "Bearer test-token-0123456789abcdef" },
    });
    const created = await client.api.sources.$post({
      json: { title: "Typed", publisher: "Client", kind: "legal", publishedAt: "2025-11-02", text: "Tariffs of 10% apply from December 1." },
    });
    if (created.status !== 201) throw new Error(`expected 201, got ${created.status}`);
    const body = await created.json();
    expect(body.proposals.map((p) => p.kind)).toEqual(["percentage", "date"]);
    const attached = await client.api[":collection"][":id"].evidence.$post({
      param: { collection: "threats", id: "threat-us-software-export-sanctions" },
      json: { sourceId: body.id, quote: "Tariffs of 10% apply", stance: "disputes" },
    });
    if (attached.status !== 201) throw new Error(`expected 201, got ${attached.status}`);
    expect((await attached.json()).verification).toBe("verbatim");
  });
});

describe("a quote sent again", () => {
  it("is the row already there, but refused (409 naming the field) with another stance or speaker, changing nothing", async () => {
    const source = await citation("Statement of 31 October");
    const quote = { sourceId: source, quote: "Talks will go on in good faith." };
    const first = await t.write("POST", `/api/threats/${TARIFF_THREAT}/evidence`, quote);
    expect(first.status, await first.clone().text()).toBe(201);
    expect((await t.write("POST", `/api/threats/${TARIFF_THREAT}/evidence`, quote)).status).toBe(200);
    const before = await contentChecksum(t.db);
    for (const [field, body] of [
      ["stance", { ...quote, stance: "disputes" }],
      ["speakerId", { ...quote, speakerId: "person-xi-jinping" }],
    ] as const) {
      const again = await t.write("POST", `/api/threats/${TARIFF_THREAT}/evidence`, body);
      expect(again.status).toBe(409);
      expect((await json(again)).field).toBe(field);
    }
    expect(await contentChecksum(t.db)).toBe(before);
  });

  it("is refused (409) for a record whose creation was retracted", async () => {
    const made = await json(
      await t.write("POST", "/api/deadlines", {
        threatId: TARIFF_THREAT,
        dueAt: "2026-12-01",
        precision: "day",
        wording: "by December",
        effectiveAt: "2025-11-01",
      }),
    );
    const creation = (await json(await t.get(`/api/deadlines/${made.id}/history`))).items[0];
    expect((await t.write("POST", `/api/history/${creation.seq}/retract`, { reason: "stated by mistake" })).status).toBe(200);
    const source = await citation("Notice on a deadline never set");
    const res = await t.write("POST", `/api/deadlines/${made.id}/evidence`, { sourceId: source, quote: "by December" });
    expect(res.status).toBe(409);
    expect((await json(res)).detail).toContain("retracted");
  });
});
