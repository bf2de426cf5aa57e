import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { TestApp } from "./app.ts";

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
