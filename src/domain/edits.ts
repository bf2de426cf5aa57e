import type { FieldProblem } from "./errors.ts";

/** Whether a value given by an edit is the one the record holds: a list of ids as a set (topicIds). */
function sameValue(held: unknown, given: unknown): boolean {
  if (Array.isArray(given)) {
    const ids = new Set(Array.isArray(held) ? held : []);
    const wanted = new Set(given);
    return ids.size === wanted.size && [...wanted].every((id) => ids.has(id));
  }
  return (held ?? null) === (given ?? null);
}

const WRITES_NOTHING = "a PATCH that changes nothing writes nothing (the record and its version, its ETag, stay as they are)";

/**
 * Why an edit (a PATCH's fields, those left out undefined) is refused for changing nothing, or
 * null when it changes something: every field it gives already holds that value (`held`, the
 * record's), or it gives none. As a terms or dates change that changes nothing is refused, so is
 * this one (422 naming each field), rather than moving the version on: an ETag that moved would
 * make every other client's If-Match fail for a write that changed nothing.
 */
export function editChangesNothing(held: Record<string, unknown>, edit: Record<string, unknown>): FieldProblem[] | null {
  const given = Object.entries(edit).filter(([, v]) => v !== undefined);
  if (given.length === 0) return [{ field: "body", problem: `gives no field to change: ${WRITES_NOTHING}` }];
  if (!given.every(([field, value]) => sameValue(held[field], value))) return null;
  return given.map(([field, value]) => ({ field, problem: `is already ${JSON.stringify(value)}: ${WRITES_NOTHING}` }));
}
