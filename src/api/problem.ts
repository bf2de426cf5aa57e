import type { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { FieldProblem } from "../domain/errors.ts";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
  errors?: FieldProblem[];
  [extra: string]: unknown;
}

/** An RFC 9457 problem response; `type` names the kind of problem, documented in the README. */
export function problem(c: Context, status: ContentfulStatusCode, slug: string, title: string, detail: string, extra: Record<string, unknown> = {}): Response {
  const body: ProblemBody = {
    type: `/problems/${slug}`,
    title,
    status,
    detail,
    instance: c.req.path,
    requestId: c.get("requestId" as never) as string | undefined,
    ...extra,
  };
  return c.body(JSON.stringify(body), status, { "Content-Type": PROBLEM_CONTENT_TYPE });
}

export function invalidInput(c: Context, errors: FieldProblem[], status: 400 | 422 = 422): Response {
  const detail = errors.map((e) => `${e.field}: ${e.problem}`).join("; ");
  return problem(c, status, "invalid-input", "The request is not valid", detail, { errors });
}

/**
 * A validation failure as the problems it names, each under its field (`where` prefixes it: "query.",
 * "param."); `unknown` is said of a field the schema does not take.
 */
export function fieldProblemsOf(error: z.ZodError, where = "", unknown = "is not an accepted field here"): FieldProblem[] {
  return error.issues.flatMap((i) => {
    const path = i.path.map(String);
    // An unexpected field is reported under its own name, so the client sees which one to drop.
    if (i.code === "unrecognized_keys") {
      return i.keys.map((key) => ({ field: `${where}${[...path, key || '""'].join(".")}`, problem: unknown }));
    }
    return [{ field: `${where}${path.join(".")}`, problem: i.message }];
  });
}
