/**
 * The form in which actor names, scenario titles and topic names are compared for uniqueness:
 * Unicode NFC (so "é" typed as one code point or as e + accent is one name) and case-folded
 * (upper- then lower-casing folds "ß" with "SS" and final "ς" with "σ", as full case folding does).
 */
export function nameKey(name: string): string {
  return name.normalize("NFC").toUpperCase().toLowerCase().normalize("NFC");
}
