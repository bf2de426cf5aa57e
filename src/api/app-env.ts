import { OpenAPIHono } from "@hono/zod-openapi";
import type { RequestIdVariables } from "hono/request-id";
import type { TrackerDatabase } from "../db/client.ts";
import type { FieldProblem } from "../domain/errors.ts";
import { invalidInput } from "./problem.ts";

export type AppEnv = { Variables: RequestIdVariables };

/** Dependencies every handler reaches through closure, never through globals. */
export interface AppDeps {
  db: TrackerDatabase;
  /** Who writes: recorded in history as `by`. */
  writer: string;
}

/** An OpenAPIHono whose validation failures become 422 problems naming each field. */
export function newRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const where = result.target === "json" ? "" : `${result.target}.`;
      const errors: FieldProblem[] = result.error.issues.map((i) => ({
        field: `${where}${i.path.join(".")}` || result.target,
        problem: i.message,
      }));
      return invalidInput(c, errors);
    },
  });
}
