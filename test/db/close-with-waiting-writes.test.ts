import { expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { freshDatabaseFile } from "../helpers/database.ts";

// Found in review: close() committed only the first group of waiting writes; the rest failed with a TypeError (a 500).
it("commits every write waiting when the database is closed, and refuses later ones with a 503-able error", async () => {
  const db = await openDatabase(freshDatabaseFile());
  await db.rawTransaction((w) => w.exec(`CREATE TABLE "Probe" (n INTEGER)`));
  const writes = Array.from({ length: 150 }, (_, i) =>
    db
      .rawTransaction((w) => w.prepare(`INSERT INTO "Probe" (n) VALUES (?)`).run(i))
      .then(
        () => "ok",
        (e: Error) => `failed: ${e.constructor.name}`,
      ),
  );
  const closed = db.close();
  const late = await db
    .rawTransaction(() => undefined)
    .then(
      () => "ok",
      (e: Error) => e.constructor.name,
    );
  await closed;
  expect(await Promise.all(writes)).toEqual(Array(150).fill("ok"));
  expect(late).toBe("DatabaseUnavailableError");
  const reopened = await openDatabase(db.path);
  try {
    expect((reopened.reader.prepare(`SELECT count(*) AS n FROM "Probe"`).get() as { n: number }).n).toBe(150);
  } finally {
    await reopened.close();
  }
});
