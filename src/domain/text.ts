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

/**
 * What verbatim text (an article's full text and the quotes cut from it) may hold besides: they
 * are stored as published, their SHA-256 finds copies of one article, and a quote must be an exact
 * slice of its text. So the form feed between the pages of an extracted PDF, the embeddings and
 * isolates (U+202A–U+202C, U+2066–U+2069) that mixed Arabic, Hebrew or Persian text carries, and a
 * byte-order mark are taken there; the overrides (U+202D, U+202E), which display a text as
 * another, and the other control characters are not.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const REFUSED_IN_VERBATIM = /[\u0000-\u0008\u000b\u000e-\u001f\u007f-\u009f\u202d\u202e]/;

/**
 * The problem with a text's characters (the first refused one, its code point and offset), or
 * null; `verbatim` for an article's text and its quotes.
 */
export function textCharacterProblem(text: string, verbatim = false): string | null {
  const found = (verbatim ? REFUSED_IN_VERBATIM : REFUSED).exec(text);
  if (!found) return null;
  const code = found[0].charCodeAt(0);
  return `must not contain U+${code.toString(16).toUpperCase().padStart(4, "0")} (${WHY(code)}), found at offset ${found.index}`;
}
