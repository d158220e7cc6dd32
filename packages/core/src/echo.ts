/** The most characters of a user's value that an error message repeats. */
export const ECHO_LIMIT = 200;

/**
 * A value as an error message shows it: JSON (strings quoted), at most `limit` characters,
 * control characters escaped. A huge or deeply nested value never makes a huge message or
 * overflows the stack.
 */
export function echo(value: unknown, limit = ECHO_LIMIT): string {
  let text: string;
  if (value === undefined) text = 'undefined';
  else if (typeof value === 'string') text = JSON.stringify(value.length > limit ? value.slice(0, limit) : value);
  else if (typeof value === 'bigint' || typeof value === 'symbol' || typeof value === 'function') text = String(value);
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = Array.isArray(value) ? '[…]' : typeof value === 'object' ? '{…}' : String(value);
    }
  }
  const full = typeof value === 'string' ? value.length : text.length;
  const shown = sanitizeForTerminal(text.length > limit ? text.slice(0, limit) : text);
  return full > limit ? `${shown}… (${full} characters)` : shown;
}

// C0 controls (but not tab), DEL, C1 controls, and the Unicode bidi overrides/isolates.
// eslint-disable-next-line no-control-regex
const TERMINAL_UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text safe to print on a terminal: escape sequences (ESC, OSC, CSI), other control
 * characters and bidi overrides become visible `\u001b`-style escapes.
 */
export function sanitizeForTerminal(text: string): string {
  return text.replace(TERMINAL_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// Characters XML 1.0 does not allow at all (everything below 0x20 but tab, LF, CR; lone surrogates; FFFE/FFFF).
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text for SVG/XML/HTML content and attribute values: markup escaped, characters XML forbids replaced by U+FFFD. */
export function escapeXml(text: string): string {
  return text
    .replace(XML_INVALID, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The same escaping is right for HTML text and attributes. */
export const escapeHtml = escapeXml;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; a leading
 * `= + - @` (or tab/CR) is prefixed with `'` so spreadsheets do not run it as a formula.
 */
export function escapeCsvField(text: string): string {
  let t = text;
  if (/^[=+\-@\t\r]/.test(t) && !/^-?\d/.test(t)) t = `'${t}`;
  return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}
