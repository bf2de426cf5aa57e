import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll } from "vitest";
import { type TestApp, testApp } from "./app.ts";

/** Serves a test app on a real loopback port; returns its base URL and a stop function. */
export async function listen(t: TestApp): Promise<{ url: string; stop: () => Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: t.app.fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        stop: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

export interface ServedTestApp {
  t: TestApp;
  url: string;
  close(): Promise<void>;
}

/** A fresh seeded test app, served on loopback; close() stops the server and the database. */
export async function servedTestApp(): Promise<ServedTestApp> {
  const t = await testApp();
  const server = await listen(t);
  return {
    t,
    url: server.url,
    close: async () => {
      await server.stop();
      await t.close();
    },
  };
}

/** Registers hooks that serve a fresh test app for the enclosing test file; read `.t` and `.url` inside tests. */
export function useServedTestApp(): ServedTestApp {
  const handle = {} as ServedTestApp;
  beforeAll(async () => {
    Object.assign(handle, await servedTestApp());
  });
  afterAll(() => handle.close());
  return handle;
}
