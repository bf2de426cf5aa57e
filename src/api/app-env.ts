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
  /** The server's clock: every recorded time and every "now" comes from it (tests drive it). */
  clock: () => Date;
}

/** An OpenAPIHono whose validation failures become 422 problems naming each field. */
export function newRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const where = result.target === "json" ? "" : `${result.target}.`;
      const errors: FieldProblem[] = result.error.issues.flatMap((i) => {
        const path = i.path.map(String);
        // An unexpected field is reported under its own name, so the client sees which one to drop.
        if (i.code === "unrecognized_keys") {
          return i.keys.map((key) => ({ field: `${where}${[...path, key || '""'].join(".")}`, problem: "is not an accepted field here" }));
        }
        return [{ field: `${where}${path.join(".")}` || result.target, problem: i.message }];
      });
      return invalidInput(c, errors);
    },
  });
}
