import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { RequestIdVariables } from "hono/request-id";
import type { SignedIn } from "../db/accounts.ts";
import type { TrackerDatabase } from "../db/client.ts";
import type { SignedCursors } from "./cursors.ts";
import { fieldProblemsOf, invalidInput } from "./problem.ts";
import { NoQuery } from "./schemas/common.ts";

/**
 * `account`: who the request acts as, set by the auth middleware where a token is needed.
 * `readStopAt`: for an API read, the `performance.now()` past which its walks stop (the request time limit).
 */
export type AppEnv = { Variables: RequestIdVariables & { account?: SignedIn; readStopAt?: number } };

/** Dependencies every handler reaches through closure, never through globals. */
export interface AppDeps {
  db: TrackerDatabase;
  /** The server's clock: every recorded time and every "now" comes from it (tests drive it). */
  clock: () => Date;
  /** The names history is recorded `by` without an account (seed, cli, the shared token's): no account may take one. */
  builtInWriters: readonly string[];
  /** Signs and checks the cursors that carry state, not only a position (decision 024). */
  historyCursors: SignedCursors;
}

/** The name recorded as `by`: the auth middleware signs in every write before its handler runs. */
export function writerOf(c: Context<AppEnv>): string {
  const account = c.get("account");
  if (!account) throw new Error("a write reached its handler without a signed-in account");
  return account.name;
}

/**
 * An OpenAPIHono whose validation failures become 422 problems naming each field. Its routes refuse
 * query parameters they do not take: each query schema is strict, and a route declaring none is given
 * an empty strict one, so `POST /api/threats?dryRun=1` is refused, not written as if it were a test.
 */
export function newRouter() {
  const router = new OpenAPIHono<AppEnv>();
  const register = router.openapi;
  router.openapi = ((route, handler, hook) => {
    const query = route.request?.query ?? NoQuery;
    const takes = query instanceof z.ZodObject ? Object.keys(query.shape) : [];
    return register({ ...route, request: { ...route.request, query } }, handler, hook ?? ((result, c) => validationProblem(result, c, takes)));
  }) as typeof register;
  return router;
}

type ValidationResult = { target: string } & ({ success: true } | { success: false; error: z.ZodError });

/** A failed validation as a 422 naming each field; `takes`: the query parameters the route takes, named when another is sent. */
function validationProblem(result: ValidationResult, c: Context, takes: string[]): Response | undefined {
  if (result.success) return;
  if (result.target !== "query") {
    const where = result.target === "json" ? "" : `${result.target}.`;
    return invalidInput(
      c,
      fieldProblemsOf(result.error, where).map((e) => (e.field ? e : { ...e, field: result.target })),
    );
  }
  const unknown = `unknown parameter (${takes.length ? `this route takes ${takes.join(", ")}` : "this route takes none"})`;
  const given = c.req.queries();
  // A parameter sent twice (?status=a&status=b) reaches the schema as a list: say so, rather than "expected string".
  const problems = fieldProblemsOf(result.error, "query.", unknown).map((e) => {
    const name = e.field.slice("query.".length).split(".")[0]!;
    const times = given[name]?.length ?? 0;
    return takes.includes(name) && times > 1 ? { field: `query.${name}`, problem: `was given ${times} times: give it once` } : e;
  });
  return invalidInput(c, problems);
}
