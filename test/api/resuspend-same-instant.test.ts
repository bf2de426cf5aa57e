import { afterEach, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../helpers/app.ts";
import { contentChecksum } from "../helpers/database.ts";

// Found by session 13: a threat suspended with an end, then suspended again from the same instant
// with another end or return, was 409 naming its expiry deadline's trigger ("could not follow
// "extended""), an entry of another record the client never posted to; with an earlier end it named
// the threat's own lapse. Terms set at an instant hold until a report taking effect after it
// (decision 007, issue 9: "a later suspended entry ... extends it"), so the refusal stands, but it
// names the suspension it meets and says how to record the change.

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
const json = async (r: Response) => (await r.json()) as any;
const THREAT = "threat-cn-rare-earth-export-controls";
const E = "2025-11-10";
const U = "2026-11-10";

const suspend = (app: TestApp, effectiveAt: string, until: string, then: string) =>
  app.write("POST", `/api/threats/${THREAT}/status`, { status: "suspended", reason: "Suspended for a year", effectiveAt, until, then });
const statusAt = async (app: TestApp, asOf: string) => (await json(await app.get(`/api/threats/${THREAT}?asOf=${asOf}`))).status;

describe("a suspension with an end given again from the same instant", () => {
  it.each([
    ["another return", U, "lapsed"],
    ["a later end", "2027-11-10", "imposed"],
    ["an earlier end", "2026-05-10", "imposed"],
  ])("with %s is 409 naming the suspension it meets and how to change it, nothing written", async (_, until, then) => {
    t = await testApp();
    const first = await json(await suspend(t, E, U, "imposed"));
    const before = contentChecksum(t.db);
    const res = await suspend(t, E, until, then);
    const text = await res.text();
    expect(res.status, text).toBe(409);
    const body = JSON.parse(text);
    expect(body.type).toBe("/problems/chain-conflict");
    expect(body.conflictsWith).toMatchObject({ seq: first.entry.seq, recordKind: "threat", recordId: THREAT, to: "suspended" });
    expect(body.detail).toContain(`until 2026-11-10T00:00:00.000Z, then "imposed" (entry ${first.entry.seq})`);
    expect(body.detail).toContain("an effectiveAt after 2025-11-10T00:00:00.000Z");
    expect(body.detail).toContain(`POST /api/history/${first.entry.seq}/retract`);
    expect(contentChecksum(t.db)).toBe(before);
  });

  it("posted twice, is 409 saying it is already recorded, naming the entry", async () => {
    t = await testApp();
    const first = await json(await suspend(t, E, U, "imposed"));
    const before = contentChecksum(t.db);
    const res = await suspend(t, E, U, "imposed");
    const body = await json(res);
    expect(res.status).toBe(409);
    expect(body.conflictsWith).toMatchObject({ seq: first.entry.seq, recordId: THREAT });
    expect(body.detail).toBe(
      `The threat is already "suspended" from 2025-11-10T00:00:00.000Z until 2026-11-10T00:00:00.000Z, then "imposed" (entry ${first.entry.seq}): this end is recorded`,
    );
    expect(contentChecksum(t.db)).toBe(before);
  });

  it("with terms that are not valid is 422 naming the field, as anywhere, nothing written", async () => {
    t = await testApp();
    await suspend(t, E, U, "imposed");
    const before = contentChecksum(t.db);
    for (const [body, field] of [
      // biome-ignore lint/suspicious/noThenProperty: the API's field name
      [{ until: "2027-11-10", then: "withdrawn" }, "then"],
      // biome-ignore lint/suspicious/noThenProperty: the API's field name
      [{ then: "lapsed" }, "until"],
      [{ until: "2027-11-10" }, "then"],
    ] as const) {
      const res = await t.write("POST", `/api/threats/${THREAT}/status`, { status: "suspended", reason: "Suspended", effectiveAt: E, ...body });
      const text = await res.text();
      expect(res.status, text).toBe(422);
      expect(JSON.parse(text).errors.map((e: { field: string }) => e.field)).toEqual([field]);
    }
    expect(contentChecksum(t.db)).toBe(before);
  });

  it("is recorded by either way the refusal names: from a later instant, or retracted and recorded again", async () => {
    t = await testApp();
    // From a later instant: the new end and return hold, the old lapse no longer follows.
    await suspend(t, E, U, "imposed");
    const later = await suspend(t, "2026-01-01", U, "lapsed");
    expect(later.status, await later.clone().text()).toBe(200);
    expect(await statusAt(t, "2026-11-11")).toBe("lapsed");
    await t.close();
    // Retracted and recorded again at the same instant, with another end.
    t = await testApp();
    const first = await json(await suspend(t, E, U, "imposed"));
    expect((await t.write("POST", `/api/history/${first.entry.seq}/retract`, { reason: "The end was misread" })).status).toBe(200);
    const again = await suspend(t, E, "2027-11-10", "imposed");
    expect(again.status, await again.clone().text()).toBe(200);
    expect(await statusAt(t, "2026-11-11")).toBe("suspended");
    expect(await statusAt(t, "2027-11-11")).toBe("imposed");
    const expiry = await json(await t.get(`/api/deadlines/${(await json(again)).expiryDeadlineId}?asOf=2027-11-11`));
    expect(expiry).toMatchObject({ status: "triggered", dueAt: "2027-11-10T00:00:00.000Z" });
  });
});
