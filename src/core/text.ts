// Text that raftcheck did not write (a program's hello, its stderr, a module's error, a trace or
// scenario file's strings) on its way to a terminal or an HTML page. A terminal obeys control
// characters: an escape sequence in a node's name could retitle the window, clear the screen or
// plant a link. Each is shown instead, visibly and reversibly (\x1b, \u202e), never interpreted.
// The one home of these rules: every printer of foreign text calls them.

/**
 * C0 controls (with ESC, CR, BEL), DEL, C1 controls (a lone U+009B is a CSI to some terminals),
 * and the bidirectional overrides and isolates that make text read differently from its bytes.
 */
const unsafeCharacters = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** The same, except the newline: raftcheck's own multi-line messages keep their lines. */
const unsafeCharactersButNewline = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escapeCharacter(character: string): string {
  const code = character.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line of foreign text, safe to print: every control character (newlines too) escaped. */
export function escapeControlCharacters(text: string): string {
  return text.replace(unsafeCharacters, escapeCharacter);
}

/**
 * A message for the terminal that may hold foreign text (an error quoting a file, a program's
 * stderr tail): control characters escaped, its own line breaks kept.
 */
export function terminalText(text: string): string {
  return text.replace(unsafeCharactersButNewline, escapeCharacter);
}

/**
 * A copy of plain JSON data (a trace file) with every string in it, keys too, passed through
 * escapeControlCharacters: for printers that show many of its fields.
 */
export function escapeControlCharactersDeep<T>(value: T): T {
  if (typeof value === 'string') return escapeControlCharacters(value) as T;
  if (Array.isArray(value)) return value.map((item) => escapeControlCharactersDeep(item)) as T;
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[escapeControlCharacters(key)] = escapeControlCharactersDeep(item);
  return copy as T;
}

const htmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Foreign text for an HTML page, in element content or a quoted attribute; controls escaped too. */
export function htmlText(text: string): string {
  return escapeControlCharacters(text).replace(/[&<>"']/g, (character) => htmlEntities[character]);
}

/** A file's text without the UTF-8 byte-order mark some editors put first (JSON.parse refuses it). */
export function withoutByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The noun for a count: "1 node", "2 nodes" (`pluralForm` for the irregular ones). */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return count === 1 ? singular : pluralForm;
}
