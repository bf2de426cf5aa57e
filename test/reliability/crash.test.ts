import { describe, expect, it } from "vitest";
import { openRawConnection } from "../../src/db/client.ts";
import { startChildServer } from "../helpers/child-server.ts";
import { freshDatabaseFile } from "../helpers/database.ts";

const TOKEN = "crash-test-token-0123456789";
const THREATS = 40;

function write(url: string, path: string, body: unknown) {
  return fetch(`${url}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("a server killed with SIGKILL under write load", () => {
  it("restarts with an intact database holding every acknowledged write, and no half-applied status change", async () => {
    const path = freshDatabaseFile();
    let server = await startChildServer(path, TOKEN);
    const threats: { threat: string; deadline: string }[] = [];
    for (let i = 0; i < THREATS; i++) {
      const threat = (await (
        await write(server.url, "/api/threats", {
          scenarioId: "scenario-us-china-rare-earth-tariffs",
          issuerId: "gov-us",
          measure: "tariff",
          covers: `goods ${i}`,
          summary: `Threat ${i}`,
        })
      ).json()) as { id: string };
      const deadline = (await (
        await write(server.url, "/api/deadlines", { threatId: threat.id, dueAt: "2026-12-01", precision: "day", wording: `December ${i}` })
      ).json()) as { id: string };
      threats.push({ threat: threat.id, deadline: deadline.id });
    }

    // Load: status changes with consequences and creates, 8 at a time, until the kill.
    const acknowledgedTopics: string[] = [];
    const acknowledgedImpositions: string[] = [];
    let sent = 0;
    let stop = false;
    const worker = async (w: number) => {
      for (let n = 0; !stop; n++) {
        const i = w + n * 8;
        sent++;
        try {
          if (i < THREATS) {
            const res = await write(server.url, `/api/threats/${threats[i]!.threat}/status`, { status: "imposed", reason: "load" });
            if (res.status === 200) acknowledgedImpositions.push(threats[i]!.threat);
          } else {
            const name = `crash topic ${w}-${n}`;
            const res = await write(server.url, "/api/topics", { name });
            if (res.status === 201) acknowledgedTopics.push(name);
          }
        } catch {
          return; // connection reset by the kill
        }
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
    await new Promise((r) => setTimeout(r, 1_500));
    server.process.kill("SIGKILL");
    stop = true;
    await load;
    expect(await server.exited).toBeNull();
    expect(acknowledgedTopics.length + acknowledgedImpositions.length).toBeGreaterThan(20);

    server = await startChildServer(path, TOKEN);
    const db = openRawConnection(path, { readonly: true });
    try {
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      const topicNames = new Set((db.prepare(`SELECT name FROM "Topic"`).all() as { name: string }[]).map((r) => r.name));
      for (const name of acknowledgedTopics) expect(topicNames.has(name), name).toBe(true);
      for (const { threat, deadline } of threats) {
        const status = (db.prepare(`SELECT status FROM "Threat" WHERE id = ?`).get(threat) as { status: string }).status;
        const history = db.prepare(`SELECT seq, "to" FROM "StatusChange" WHERE "recordKind" = 'threat' AND "recordId" = ? ORDER BY seq`).all(threat) as {
          seq: number;
          to: string;
        }[];
        const deadlineStatus = (db.prepare(`SELECT status FROM "Deadline" WHERE id = ?`).get(deadline) as { status: string }).status;
        // All or nothing: the status, its history entry and its consequence stand or fall together.
        expect(history.at(-1)!.to).toBe(status);
        if (status === "imposed") {
          expect(deadlineStatus).toBe("triggered");
          const consequence = db
            .prepare(`SELECT count(*) AS n FROM "StatusChange" WHERE "recordId" = ? AND "causedBySeq" = ?`)
            .get(deadline, history.at(-1)!.seq) as { n: number };
          expect(consequence.n).toBe(1);
        } else {
          expect(status).toBe("threatened");
          expect(deadlineStatus).toBe("pending");
          expect(acknowledgedImpositions).not.toContain(threat);
        }
      }
      console.log(`crash test: ${sent} writes sent, ${acknowledgedTopics.length + acknowledgedImpositions.length} acknowledged before SIGKILL, 0 lost`);
    } finally {
      db.close();
      server.process.kill("SIGKILL");
      await server.exited;
    }
  }, 120_000);
});

describe("a server sent SIGTERM", () => {
  it("finishes the requests in flight, closes the database and exits 0", async () => {
    const path = freshDatabaseFile();
    const server = await startChildServer(path, TOKEN);
    const inFlight = Array.from({ length: 20 }, (_, i) => write(server.url, "/api/topics", { name: `drain ${i}` }));
    await new Promise((r) => setTimeout(r, 5));
    server.process.kill("SIGTERM");
    const statuses = (await Promise.allSettled(inFlight)).map((r) => (r.status === "fulfilled" ? r.value.status : "refused"));
    expect(await server.exited).toBe(0);
    // Every request the server accepted was answered; none failed on the server side.
    expect(statuses.every((s) => s === 201 || s === "refused")).toBe(true);
    const db = openRawConnection(path, { readonly: true });
    const stored = (db.prepare(`SELECT count(*) AS n FROM "Topic" WHERE name LIKE 'drain %'`).get() as { n: number }).n;
    expect(stored).toBe(statuses.filter((s) => s === 201).length);
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    db.close();
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  }, 120_000);
});
