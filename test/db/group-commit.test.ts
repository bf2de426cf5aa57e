import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { SCENARIO, type TestApp, testApp } from "../helpers/app.ts";

/**
 * Raw writes that arrive together share one COMMIT (decision 013), each in its own savepoint:
 * a write that fails for its own reasons fails alone, and every acknowledged write is on disk.
 */
describe("group commit of status changes", () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it("commits the concurrent writes that are right, fails the wrong ones alone, and loses none", async () => {
    const app = await testApp();
    t = app;
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await app.write("POST", "/api/threats", {
        scenarioId: SCENARIO,
        issuerId: "gov-us",
        targetIds: ["gov-cn"],
        measure: "tariff",
        covers: `goods ${i}`,
        summary: `a threatened tariff ${i}`,
      });
      expect(res.status, await res.clone().text()).toBe(201);
      ids.push(((await res.json()) as { id: string }).id);
    }
    const entriesOf = (id: string) =>
      (app.db.reader.prepare(`SELECT count(*) AS n FROM "StatusChange" WHERE "recordKind" = 'threat' AND "recordId" = ?`).get(id) as { n: number }).n;
    const before = ids.map(entriesOf);

    // All sent at once: every third one names a version the threat never had (412).
    const answers = await Promise.all(
      ids.map((id, i) =>
        app.write("POST", `/api/threats/${id}/status`, { status: "imposed", reason: "imposed together" }, i % 3 === 2 ? { "If-Match": '"99"' } : {}),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(ids.map((_, i) => (i % 3 === 2 ? 412 : 200)));
    expect(ids.map(entriesOf)).toEqual(ids.map((_, i) => before[i]! + (i % 3 === 2 ? 0 : 1)));

    // Reopened from the file: what was acknowledged is there.
    const path = app.db.path;
    await app.close();
    t = undefined;
    const reopened = await openDatabase(path);
    try {
      const statuses = ids.map((id) => (reopened.reader.prepare(`SELECT "status" FROM "Threat" WHERE "id" = ?`).get(id) as { status: string }).status);
      expect(statuses).toEqual(ids.map((_, i) => (i % 3 === 2 ? "threatened" : "imposed")));
    } finally {
      await reopened.close();
    }
  });
});
