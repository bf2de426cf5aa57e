import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createRoute, z } from "@hono/zod-openapi";
import { Hono } from "hono";
import { DatabaseUnavailableError, type TrackerDatabase } from "../../db/client.ts";
import { newRouter } from "../app-env.ts";
import { ProblemSchema } from "../schemas/common.ts";

export const healthRoute = createRoute({
  method: "get",
  path: "/health",
  tags: ["meta"],
  summary: "Liveness: the database file is the one opened, readable and undamaged",
  // For probes, not under /api: a parameter a load balancer adds is not refused (decision 030).
  request: { query: z.object({}) },
  responses: {
    200: { description: "Up", content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } } },
    503: { description: "The database file was deleted, replaced or damaged", content: { "application/problem+json": { schema: ProblemSchema } } },
  },
});

export function healthRoutes(db: TrackerDatabase) {
  return newRouter().openapi(healthRoute, (c) => {
    const health = db.health();
    // The app's error handler answers it as 503 problem+json, like a write refused for the same reason.
    if (!health.ok) throw new DatabaseUnavailableError(`Writes are refused: ${health.problem}.`);
    return c.json({ status: "ok" as const }, 200);
  });
}

const swaggerDir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const ASSETS = new Map([
  ["swagger-ui.css", "text/css"],
  ["swagger-ui-bundle.js", "text/javascript"],
]);

const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tradewatch API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script></body></html>`;

/** The interactive API page, served from the swagger-ui-dist package: it works offline. */
export function docsRoutes() {
  const app = new Hono();
  app.get("/docs", (c) => c.html(DOCS_PAGE));
  app.get("/docs/assets/init.js", (c) =>
    c.body('window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });', 200, { "Content-Type": "text/javascript" }),
  );
  app.get("/docs/assets/:file", (c) => {
    const file = c.req.param("file");
    const type = ASSETS.get(file);
    if (!type) return c.notFound();
    return c.body(readFileSync(join(swaggerDir, file)), 200, { "Content-Type": type, "Cache-Control": "public, max-age=86400" });
  });
  return app;
}
