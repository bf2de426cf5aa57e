/**
 * A text search's LIKE pattern: the words anywhere, matched literally. `%`, `_` and the escape
 * character itself are escaped, so the pattern must be used with `ESCAPE '\'` (Prisma's
 * `contains` escapes nothing on SQLite, so text searches go through this pattern in raw SQL).
 */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
}
