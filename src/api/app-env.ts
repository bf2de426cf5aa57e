import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { RequestIdVariables } from "hono/request-id";
import type { SignedIn } from "../db/accounts.ts";
import type { TrackerDatabase } from "../db/client.ts";
import type { SignedCursors } from "./cursors.ts";
import { fieldProblemsOf, invalidInput } from "./problem.ts";

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

/** An OpenAPIHono whose validation failures become 422 problems naming each field. */
export function newRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const where = result.target === "json" ? "" : `${result.target}.`;
      return invalidInput(
        c,
        fieldProblemsOf(result.error, where).map((e) => (e.field ? e : { ...e, field: result.target })),
      );
    },
  });
}
