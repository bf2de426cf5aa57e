/**
 * The form in which actor names, scenario titles and topic names are compared for uniqueness:
 * Unicode NFC (so "é" typed as one code point or as e + accent is one name) and case-folded
 * (upper- then lower-casing folds "ß" with "SS" and final "ς" with "σ", as full case folding does).
 */
export function nameKey(name: string): string {
  return name.normalize("NFC").toUpperCase().toLowerCase().normalize("NFC");
}

/**
 * The problem with the name of an actor or topic, or a scenario's title, or null: what is told
 * apart by its name must look like one. "Donald Trump " beside "Donald Trump", a zero-width space
 * or a NUL (raw in the desk's HTML) made two names that read the same, as account names cannot.
 */
export function recordNameProblem(name: string): string | null {
  if (name !== name.trim()) return "must not start or end with spaces";
  if (/\s{2}/u.test(name)) return "must not hold two spaces in a row";
  if (/[\p{Cc}\p{Cf}]/u.test(name)) return "must not contain control or invisible characters";
  if (/[^\S ]/u.test(name)) return "must use plain spaces between words";
  return null;
}
