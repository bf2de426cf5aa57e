/**
 * Characters no text the tracker takes may hold: control characters other than tab, line feed and
 * carriage return (C0, DEL and C1: a NUL cuts text short in C tools, an escape drives a terminal),
 * the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which make
 * the text around them read in another order than it is stored (a reason that displays as another),
 * and U+FEFF (a byte-order mark: inside text, an invisible no-break). Kept, because scripts and
 * emoji need them: the joiners U+200C and U+200D, the marks U+200E and U+200F, and the zero-width
 * space U+200B (the word break of Thai, Khmer or Burmese text).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const REFUSED = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufeff]/;

const WHY = (code: number) =>
  code === 0xfeff
    ? "a byte-order mark, invisible inside text"
    : code >= 0x202a
      ? "a bidirectional embedding, override or isolate, which reorders how the text around it reads"
      : "a control character: only tab, line feed and carriage return are taken";

/** The problem with a text's characters (the first refused one, its code point and offset), or null. */
export function textCharacterProblem(text: string): string | null {
  const found = REFUSED.exec(text);
  if (!found) return null;
  const code = found[0].charCodeAt(0);
  return `must not contain U+${code.toString(16).toUpperCase().padStart(4, "0")} (${WHY(code)}), found at offset ${found.index}`;
}
