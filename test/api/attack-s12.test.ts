import { afterEach, describe, expect, it } from "vitest";
import { NOVEMBER_DEADLINE, RARE_EARTH_CONDITION, refused, SCENARIO, SOURCE, TARIFF_THREAT, TEST_TOKEN, type TestApp, testApp } from "../helpers/app.ts";

// Found by an attack on the write routes of main at 88e2ff7 (session 12), through the HTTP app.

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
const json = async (r: Response) => (await r.json()) as any;

/** Everything the history says (every entry, with its retraction), to compare before and after a refused write. */
const allChanges = async (app: TestApp) => (await app.get("/api/changes?limit=500")).text();

const yearsAhead = (years: number) => {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d.toISOString().slice(0, 10);
};

describe("a dates change dated ahead", () => {
  it("is held to the ten years any change dated ahead is held to: 422 naming effectiveAt, nothing written", async () => {
    t = await testApp();
    const before = await allChanges(t);
    for (const effectiveAt of [yearsAhead(11), "2150-12-01", "2200-12-31T23:59:59+14:00"]) {
      await refused(
        await t.write("POST", `/api/deadlines/${NOVEMBER_DEADLINE}/dates`, { dueAt: "2026-01-01", precision: "day", reason: "Moved", effectiveAt }),
        "effectiveAt",
      );
      await refused(
        await t.write("POST", "/api/events/event-apec-summit-2025/dates", { startsAt: "2025-11-02", precision: "day", reason: "Moved", effectiveAt }),
        "effectiveAt",
      );
    }
    expect(await allChanges(t)).toBe(before);
    // As a status change or a terms change is.
    await refused(await t.write("POST", `/api/threats/${TARIFF_THREAT}/terms`, { ratePercent: 50, reason: "r", effectiveAt: yearsAhead(11) }), "effectiveAt");
    // Within the ten years it is recorded, and read as of then.
    const within = yearsAhead(9);
    const res = await t.write("POST", `/api/deadlines/${NOVEMBER_DEADLINE}/dates`, {
      dueAt: "2026-01-01",
      precision: "day",
      reason: "Moved",
      effectiveAt: within,
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await json(await t.get(`/api/deadlines/${NOVEMBER_DEADLINE}?asOf=${within}`))).dueAt).toBe("2026-01-01T00:00:00.000Z");
  });
});

describe("a suspension's end by its terms", () => {
  it("cannot be a supersession, which names what replaces the measure: 422 naming then, nothing written", async () => {
    t = await testApp();
    const before = await allChanges(t);
    const text = await refused(
      await t.write("POST", `/api/threats/${TARIFF_THREAT}/status`, {
        status: "suspended",
        reason: "Suspended for a year",
        effectiveAt: "2025-11-10",
        until: "2026-11-10",
        // biome-ignore lint/suspicious/noThenProperty: the API's field name
        then: "superseded",
      }),
      "then",
    );
    expect(text).toContain("supersededById");
    expect(await allChanges(t)).toBe(before);
    // A threat is never read superseded by nothing.
    const threat = await json(await t.get(`/api/threats/${TARIFF_THREAT}?asOf=2026-11-11`));
    expect(threat.status).toBe("threatened");
    // Ending by its terms in another way is still recorded.
    const lapsing = await t.write("POST", `/api/threats/${TARIFF_THREAT}/status`, {
      status: "suspended",
      reason: "Suspended for a year",
      effectiveAt: "2025-11-10",
      until: "2026-11-10",
      // biome-ignore lint/suspicious/noThenProperty: the API's field name
      then: "lapsed",
    });
    expect(lapsing.status, await lapsing.clone().text()).toBe(200);
  });
});

describe("a rate's decimals", () => {
  it("are at most four, exactly: a rate of 1e-11 or 5e-324 is refused, 422 naming ratePercent, nothing written", async () => {
    t = await testApp();
    const before = await allChanges(t);
    for (const ratePercent of [1e-11, 5e-324, 7.50000000001]) {
      // Sent as written: JSON.stringify prints each as the number it is.
      await refused(
        await t.write("POST", `/api/threats/${TARIFF_THREAT}/terms`, { ratePercent, reason: "Rate cut", effectiveAt: "2025-12-01" }),
        "ratePercent",
      );
      await refused(
        await t.write("POST", "/api/threats", { scenarioId: SCENARIO, issuerId: "gov-us", measure: "tariff", covers: "c", summary: "s", ratePercent }),
        "ratePercent",
      );
    }
    expect(await allChanges(t)).toBe(before);
    // Four decimals, and the numbers whose binary form is not exact, pass.
    for (const ratePercent of [0.1, 33.3333, 9999.9999]) {
      const res = await t.write("POST", `/api/threats/${TARIFF_THREAT}/terms`, { ratePercent, reason: "Rate set", effectiveAt: "2025-12-01" });
      expect(res.status, await res.clone().text()).toBe(200);
      expect((await json(res)).record.ratePercent).toBe(ratePercent);
    }
  });
});

describe("a quote of blanks", () => {
  it("is no evidence: 422 naming the quote wherever evidence is taken, nothing written", async () => {
    t = await testApp();
    const before = await allChanges(t);
    const evidenceBefore = await (await t.get(`/api/threats/${TARIFF_THREAT}/evidence?limit=500`)).text();
    for (const quote of [" ", "  ", "\n"]) {
      await refused(await t.write("POST", `/api/threats/${TARIFF_THREAT}/evidence`, { sourceId: SOURCE, quote }), "quote");
      await refused(
        await t.write("POST", `/api/conditions/${RARE_EARTH_CONDITION}/status`, { status: "moot", reason: "r", evidence: { sourceId: SOURCE, quote } }),
        "evidence.quote",
      );
    }
    expect(await allChanges(t)).toBe(before);
    expect(await (await t.get(`/api/threats/${TARIFF_THREAT}/evidence?limit=500`)).text()).toBe(evidenceBefore);
  });
});

describe("the intake's date proposals", () => {
  it("propose no date the tracker would refuse (outside 1900–2200), and still those within", async () => {
    t = await testApp();
    const res = await t.write("POST", "/api/sources", {
      title: "Dates at the edges",
      publisher: "P",
      publishedAt: "2025-10-24",
      text: "By December 31, 9999 the truce ends. The tariff starts on December 1, 2025.",
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const dates = (await json(res)).proposals.filter((p: any) => p.kind === "date");
    expect(dates.map((p: any) => p.dueAt)).toEqual(["2025-12-01T00:00:00.000Z"]);
  });
});

describe("a condition read at a past knownAt", () => {
  it("is the same bytes after its awaited actor is corrected", async () => {
    t = await testApp();
    await new Promise((r) => setTimeout(r, 5));
    const knownAt = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const paths = [`/api/conditions/${RARE_EARTH_CONDITION}?knownAt=${knownAt}`, `/api/threats/${TARIFF_THREAT}?knownAt=${knownAt}`];
    const before = await Promise.all(paths.map(async (p) => (await t!.get(p)).text()));
    const corrected = await t.write("PATCH", `/api/conditions/${RARE_EARTH_CONDITION}`, { awaitedActorId: "gov-us", reason: "Misread: Washington's move" });
    expect(corrected.status, await corrected.clone().text()).toBe(200);
    const after = await Promise.all(paths.map(async (p) => (await t!.get(p)).text()));
    expect(after).toEqual(before);
  });
});

describe("an event's start made unknown", () => {
  it("leaves no end of its old dates behind: the end not given is the start, as when created", async () => {
    t = await testApp();
    const path = "/api/events/event-apec-summit-2025";
    const res = await t.write("POST", `${path}/dates`, { startsAt: null, precision: "unknown", reason: "Date no longer known" });
    expect(res.status, await res.clone().text()).toBe(200);
    const event = await json(await t.get(path));
    expect([event.startsAt, event.endsAt, event.precision]).toEqual([null, null, "unknown"]);
  });
});

describe("a link to a measure whose creation is retracted", () => {
  /** A threat of the seeded scenario, first stated on 1 October 2025. */
  const threat = async (app: TestApp, covers: string) =>
    (
      await json(
        await app.write("POST", "/api/threats", {
          scenarioId: SCENARIO,
          issuerId: "gov-us",
          measure: "tariff",
          covers,
          summary: covers,
          effectiveAt: "2025-10-01",
        }),
      )
    ).id as string;
  const creationOf = async (app: TestApp, kind: string, id: string) => (await json(await app.get(`/api/${kind}/${id}/history`))).items[0].seq as number;
  const retract = (app: TestApp, seq: number) => app.write("POST", `/api/history/${seq}/retract`, { reason: "It never existed" });

  it("is not left behind: retracting the creation of a successor, a re-issued or a changed measure is 409 while the link stands, nothing written", async () => {
    t = await testApp();
    const [old, successor, changed] = [await threat(t, "old"), await threat(t, "successor"), await threat(t, "changed")];
    for (const [status, effectiveAt, extra] of [
      ["imposed", "2025-10-05", {}],
      ["superseded", "2025-10-10", { supersededById: successor }],
    ] as const) {
      const res = await t.write("POST", `/api/threats/${old}/status`, { status, reason: "r", effectiveAt, ...extra });
      expect(res.status, await res.clone().text()).toBe(200);
    }
    const reissue = await json(
      await t.write("POST", "/api/threats", {
        scenarioId: SCENARIO,
        issuerId: "gov-us",
        measure: "tariff",
        covers: "again",
        summary: "again",
        reissuesId: old,
      }),
    );
    const deal = await json(
      await t.write("POST", "/api/agreements", { title: "Deal", partyIds: ["gov-us", "gov-cn"], status: "in-force", effectiveAt: "2025-10-02" }),
    );
    const cut = await json(
      await t.write("POST", "/api/commitments", {
        agreementId: deal.id,
        partyId: "gov-us",
        description: "Cut it",
        kind: "tariff-cut",
        effectiveAt: "2025-10-02",
        affectsThreatIds: [changed],
      }),
    );
    const before = await allChanges(t);
    for (const [id, names] of [
      [successor, "superseded"],
      [old, reissue.id],
      [changed, cut.id],
    ]) {
      const res = await retract(t, await creationOf(t, "threats", id));
      const text = await res.text();
      expect(res.status, text).toBe(409);
      expect(text).toContain(names);
    }
    expect(await allChanges(t)).toBe(before);
    expect((await json(await t.get(`/api/threats/${old}?asOf=2025-11-01`))).supersededById).toBe(successor);
    expect((await t.get(`/api/threats/${successor}`)).status).toBe(200);
    // Retract the link first, and the creation goes.
    const supersession = (await json(await t.get(`/api/threats/${old}/history`))).items.find((e: any) => e.to === "superseded").seq;
    expect((await retract(t, supersession)).status).toBe(200);
    expect((await retract(t, await creationOf(t, "threats", successor))).status).toBe(200);
  });

  it("is not made: a commitment changing a measure whose creation was retracted is 422 naming it, as a successor is", async () => {
    t = await testApp();
    const gone = await threat(t, "gone");
    expect((await retract(t, await creationOf(t, "threats", gone))).status).toBe(200);
    const deal = await json(
      await t.write("POST", "/api/agreements", { title: "Deal", partyIds: ["gov-us", "gov-cn"], status: "in-force", effectiveAt: "2025-10-02" }),
    );
    const before = await allChanges(t);
    await refused(
      await t.write("POST", "/api/commitments", {
        agreementId: deal.id,
        partyId: "gov-us",
        description: "Cut it",
        kind: "tariff-cut",
        affectsThreatIds: [gone],
      }),
      "affectsThreatIds.0",
    );
    expect(await allChanges(t)).toBe(before);
  });
});

describe("an If-Match that is no ETag", () => {
  it("is 412 saying it names no version, not 'not NaN', and changes nothing", async () => {
    t = await testApp();
    const path = "/api/events/event-apec-summit-2025";
    const before = await allChanges(t);
    // A list of tags matches when one does (attack-s13.test.ts); one without its commas is no list.
    for (const ifMatch of ['"1e2"', "abc", '"1" "1"', '""']) {
      const res = await t.write("POST", `${path}/dates`, { startsAt: "2025-11-02", precision: "day", reason: "Moved" }, { "If-Match": ifMatch });
      const body = await json(res);
      expect(res.status).toBe(412);
      expect(body.detail).not.toContain("NaN");
      expect(body.detail).toContain("names no version");
    }
    expect(await allChanges(t)).toBe(before);
  });
});

describe("an agreement's expiry", () => {
  it("ends after the agreement takes effect, read at its precision: one before is 422 naming expiresAt, nothing written", async () => {
    t = await testApp();
    const before = await allChanges(t);
    for (const [expiresAt, expiryPrecision] of [
      ["2025-01-01", "day"],
      ["2025-11-09", "day"],
      ["2025-10-01", "month"],
    ]) {
      await refused(
        await t.write("POST", "/api/agreements", {
          title: "Truce",
          partyIds: ["gov-us", "gov-cn"],
          status: "in-force",
          effectiveAt: "2025-11-10",
          expiresAt,
          expiryPrecision,
        }),
        "expiresAt",
      );
    }
    expect(await allChanges(t)).toBe(before);
    expect((await json(await t.get("/api/agreements"))).items).toEqual([]);
    // Within its period (November 2025, the month it takes effect in) or later, it is recorded.
    const res = await t.write("POST", "/api/agreements", {
      title: "Truce",
      partyIds: ["gov-us", "gov-cn"],
      status: "in-force",
      effectiveAt: "2025-11-10",
      expiresAt: "2025-11-01",
      expiryPrecision: "month",
    });
    expect(res.status, await res.clone().text()).toBe(201);
  });
});

describe("a dates change that changes nothing", () => {
  it("is 422 naming each date given, as a terms change is, nothing written; one changing any of them is recorded", async () => {
    t = await testApp();
    const path = `/api/deadlines/${NOVEMBER_DEADLINE}`;
    const seeded = await json(await t.get(path));
    const before = await allChanges(t);
    // Its entries as they read (DTSTAMP is the time of the read).
    const entries = async () => (await (await t!.get("/calendar.ics?asOf=2025-11-01")).text()).replace(/^DTSTAMP:.*$/gm, "");
    const calendar = await entries();
    // The seeded due date as it stands, at its precision and in its words.
    const same = { dueAt: seeded.dueAt, precision: seeded.precision, wording: seeded.wording, reason: "Restated", effectiveAt: "2025-10-25" };
    const text = await refused(await t.write("POST", `${path}/dates`, same), "dueAt");
    expect(JSON.parse(text).errors.map((e: any) => e.field)).toEqual(["dueAt", "precision", "wording"]);
    expect(await allChanges(t)).toBe(before);
    expect(await entries()).toBe(calendar);
    // A moved date, then the same move again at a later instant: the second says nothing new.
    const moved = { dueAt: "2025-12-01", precision: "month", reason: "Moved", effectiveAt: "2025-10-26" };
    expect((await t.write("POST", `${path}/dates`, moved)).status).toBe(200);
    await refused(await t.write("POST", `${path}/dates`, { ...moved, effectiveAt: "2025-10-27" }), "dueAt");
    // Its words alone may change.
    const reworded = await t.write("POST", `${path}/dates`, { ...moved, wording: "by the start of December", effectiveAt: "2025-10-27" });
    expect(reworded.status, await reworded.clone().text()).toBe(200);
    // An event's too.
    const event = await json(await t.get("/api/events/event-apec-summit-2025"));
    await refused(
      await t.write("POST", "/api/events/event-apec-summit-2025/dates", {
        startsAt: event.startsAt,
        endsAt: event.endsAt,
        precision: event.precision,
        reason: "Restated",
        effectiveAt: "2025-10-25",
      }),
      "startsAt",
    );
  });
});

describe("a commitment's deadline", () => {
  it("says its agreement in its own detail, as the list and every embed do, and may not name another agreement (422, nothing written)", async () => {
    t = await testApp();
    const deal = await json(
      await t.write("POST", "/api/agreements", { title: "Deal", partyIds: ["gov-us", "gov-cn"], status: "in-force", effectiveAt: "2025-11-10" }),
    );
    const other = await json(await t.write("POST", "/api/agreements", { title: "Other deal", partyIds: ["gov-us", "gov-cn"], effectiveAt: "2025-11-10" }));
    const corn = await json(
      await t.write("POST", "/api/commitments", {
        agreementId: deal.id,
        partyId: "gov-cn",
        description: "Buy corn",
        kind: "purchase",
        effectiveAt: "2025-11-12",
        dueAt: "2026-03-01",
        precision: "month",
        wording: "by March",
      }),
    );
    const added = await json(
      await t.write("POST", "/api/deadlines", {
        commitmentId: corn.id,
        dueAt: "2026-01-01",
        precision: "day",
        wording: "by New Year",
        effectiveAt: "2025-11-13",
      }),
    );
    for (const id of [corn.deadlines[0].id, added.id]) {
      expect((await json(await t.get(`/api/deadlines/${id}`))).agreementId, id).toBe(deal.id);
      const row = (await json(await t.get("/api/deadlines?limit=500"))).items.find((d: any) => d.id === id);
      expect(row.agreementId).toBe(deal.id);
    }
    expect(added.agreementId).toBe(deal.id);
    const before = await allChanges(t);
    await refused(
      await t.write("POST", "/api/deadlines", {
        commitmentId: corn.id,
        agreementId: other.id,
        dueAt: "2026-01-01",
        precision: "day",
        wording: "w",
        effectiveAt: "2025-11-13",
      }),
      "commitmentId",
    );
    expect(await allChanges(t)).toBe(before);
  });
});

describe("a PATCH of a record whose creation was retracted", () => {
  it("is 409 and writes nothing: it answered 404 after writing, and the edit showed in every answer known before the retraction", async () => {
    t = await testApp();
    const path = "/api/threats/threat-us-software-export-sanctions";
    const creation = (await json(await t.get(`${path}/history`))).items[0].seq;
    expect((await t.write("POST", `/api/history/${creation}/retract`, { reason: "Never threatened" })).status).toBe(200);
    // Known before the retraction, the threat is there as first stated.
    const knownAt = (await json(await t.get(`${path}/history`))).items[0].recordedAt;
    const past = `${path}?knownAt=${knownAt}`;
    const before = await (await t.get(past)).text();
    expect(JSON.parse(before).summary).not.toBe("Edited");
    const res = await t.write("PATCH", path, { summary: "Edited" });
    expect(res.status, await res.clone().text()).toBe(409);
    expect(await (await t.get(past)).text()).toBe(before);
    expect((await t.write("PATCH", "/api/events/event-apec-summit-2025", { place: "Gyeongju" })).status).toBe(200);
  });
});

describe("a postponed event rescheduled", () => {
  it("does not end before it starts: newEndsAt before newStartsAt, or without it, is 422 naming newEndsAt, nothing written", async () => {
    t = await testApp();
    const path = "/api/events/event-apec-summit-2025";
    expect((await t.write("POST", `${path}/status`, { status: "postponed", reason: "Postponed", effectiveAt: "2025-10-25" })).status).toBe(200);
    const before = await allChanges(t);
    for (const dates of [{ newStartsAt: "2026-02-10", newEndsAt: "2026-02-01" }, { newEndsAt: "2026-02-01" }]) {
      await refused(await t.write("POST", `${path}/status`, { status: "scheduled", reason: "Rescheduled", effectiveAt: "2025-12-05", ...dates }), "newEndsAt");
    }
    expect(await allChanges(t)).toBe(before);
    const res = await t.write("POST", `${path}/status`, {
      status: "scheduled",
      reason: "Rescheduled",
      effectiveAt: "2025-12-05",
      newStartsAt: "2026-02-10",
      newEndsAt: "2026-02-12",
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const event = await json(await t.get(`${path}?asOf=2025-12-06`));
    expect([event.startsAt, event.endsAt]).toEqual(["2026-02-10T00:00:00.000Z", "2026-02-12T00:00:00.000Z"]);
  });
});

describe("an extension retracted, then recorded again", () => {
  it("extends the deadline again (it was a 500: the retracted successor kept the one extendsId a deadline could have), and each read shows the successor it knew", async () => {
    t = await testApp();
    const path = `/api/deadlines/${NOVEMBER_DEADLINE}`;
    const first = await json(
      await t.write("POST", `${path}/status`, { status: "extended", reason: "Extended", effectiveAt: "2025-10-25", newDueAt: "2026-02-01" }),
    );
    expect((await t.write("POST", `/api/history/${first.entry.seq}/retract`, { reason: "Misread: not extended then" })).status).toBe(200);
    const knownAt = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const pastBefore = await (await t.get(`${path}?asOf=2025-12-01&knownAt=${knownAt}`)).text();
    const again = await t.write("POST", `${path}/status`, { status: "extended", reason: "Extended", effectiveAt: "2025-10-28", newDueAt: "2026-03-01" });
    const text = await again.clone().text();
    expect(again.status, text).toBe(200);
    const second = await json(again);
    expect(second.successorDeadlineId).not.toBe(first.successorDeadlineId);
    const now = await json(await t.get(`${path}?asOf=2025-12-01`));
    expect(now.extendedBy.id).toBe(second.successorDeadlineId);
    expect((await json(await t.get(`/api/deadlines/${second.successorDeadlineId}`))).extendsId).toBe(NOVEMBER_DEADLINE);
    // Known before the retraction, the first successor; known between, none; neither answer moved.
    const history = await json(await t.get(`${path}/history`));
    const recordedFirst = history.items.find((e: any) => e.seq === first.entry.seq).recordedAt;
    expect((await json(await t.get(`${path}?asOf=2025-12-01&knownAt=${recordedFirst}`))).extendedBy.id).toBe(first.successorDeadlineId);
    expect(await (await t.get(`${path}?asOf=2025-12-01&knownAt=${knownAt}`)).text()).toBe(pastBefore);
    expect(JSON.parse(pastBefore).extendedBy).toBeNull();
  });

  it("a suspension's end extended, retracted, and extended again by another suspension is recorded (it was a 500)", async () => {
    t = await testApp();
    const path = "/api/threats/threat-cn-rare-earth-export-controls/status";
    const suspend = (effectiveAt: string, until: string) =>
      // biome-ignore lint/suspicious/noThenProperty: the API's field name
      t!.write("POST", path, { status: "suspended", reason: "Suspended", effectiveAt, until, then: "imposed" });
    expect((await suspend("2025-11-10", "2026-11-10")).status).toBe(200);
    const longer = await json(await suspend("2026-01-01", "2027-01-01"));
    expect((await t.write("POST", `/api/history/${longer.entry.seq}/retract`, { reason: "Not extended" })).status).toBe(200);
    const res = await suspend("2026-02-01", "2027-02-01");
    expect(res.status, await res.clone().text()).toBe(200);
    const threat = await json(await t.get("/api/threats/threat-cn-rare-earth-export-controls?asOf=2027-01-15"));
    expect(threat.status).toBe("suspended");
  });
});

describe("an account's name", () => {
  it("cannot read as another's: a zero-width space, a right-to-left override or a no-break space is 422 naming name, no account added", async () => {
    t = await testApp();
    expect((await t.write("POST", "/api/accounts", { name: "Ana Ruiz", role: "editor" })).status).toBe(201);
    const before = await (await t.get("/api/accounts", { Authorization: `Bearer ${TEST_TOKEN}` })).text();
    for (const name of ["Ana Ruiz\u200b", "\u202eAna Ruiz", "Ana\u00a0Ruiz", "Ana\u2060 Ruiz"]) {
      await refused(await t.write("POST", "/api/accounts", { name, role: "editor" }), "name");
    }
    expect(await (await t.get("/api/accounts", { Authorization: `Bearer ${TEST_TOKEN}` })).text()).toBe(before);
  });
});
