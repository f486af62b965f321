/**
 * Text that came from outside (a backend's bytes, a log line, a saved file), made safe to
 * print or embed: every control character becomes a visible escape.
 *
 * Why: an on-call engineer reads what idle-canary prints. A backend's `Server` header with
 * escape sequences could clear the screen, retitle the window or fake a PASS; a CR or LF could
 * forge a line. Escaping (rather than dropping) keeps the evidence readable.
 */

/**
 * C0 and C1 controls, DEL, line and paragraph separators, and the bidirectional overrides
 * that reorder what is shown.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is this module's job
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The same set, less the C0 controls that `JSON.stringify` escapes already. */
const JSON_UNESCAPED = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * The text on one line with each control character written as `\xHH` or `\uHHHH`, cut to
 * `maxLength` characters (with `...`).
 *
 * @example
 * printable('nginx\u001b]0;pwned\u0007'); // 'nginx\\x1b]0;pwned\\x07'
 */
export function printable(text: string, maxLength = Number.POSITIVE_INFINITY): string {
  const cut = text.length > maxLength ? `${text.slice(0, Math.max(0, maxLength - 3))}...` : text;
  return cut.replace(CONTROL, escapeOf);
}

/**
 * Whether the text holds a control character (one `printable` would escape).
 *
 * @example
 * hasControlCharacters('h\r\nX-Injected: yes'); // true
 */
export function hasControlCharacters(text: string): boolean {
  CONTROL.lastIndex = 0;
  return CONTROL.test(text);
}

/**
 * `JSON.stringify` whose output has no raw control character either: the C1 controls and
 * separators it leaves as they are become `\uHHHH`, which parses back to the same value.
 *
 * @example
 * safeJson({ server: 'a\u009b2J' }); // '{\n  "server": "a\\u009b2J"\n}'
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(JSON_UNESCAPED, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function escapeOf(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** How much of a value `describeValue` shows. */
export interface PreviewLimits {
  /** Levels of arrays and objects shown. */
  readonly depth: number;
  /** Entries shown per array or object. */
  readonly entries: number;
  /** Characters shown of a string. */
  readonly stringLength: number;
  /** Characters of the whole picture. */
  readonly length: number;
}

/** By default: a few levels, a few entries, one short line, as an error about an event shows. */
const PREVIEW: PreviewLimits = { depth: 2, entries: 3, stringLength: 40, length: 60 };

/**
 * A short one-line picture of any value, whatever its depth or size, printable: what an error
 * about a bad input shows of it (`nothing` for `undefined`).
 *
 * Why not `JSON.stringify`: a value nested 5,000 deep overflows its stack, and a large one
 * costs its whole size to describe; here the work is bounded by `limits`.
 *
 * @example
 * describeValue({ subnetIds: ['subnet-x'], extra: 'a'.repeat(100) }); // '{"subnetIds":["subnet-x"],"extra":"aaaaaaaaaaaaaaaaaaaaaa...' (60 characters)
 */
export function describeValue(value: unknown, limits: PreviewLimits = PREVIEW): string {
  if (value === undefined) return 'nothing';
  return printable(preview(value, limits.depth, limits), limits.length);
}

function preview(value: unknown, depth: number, limits: PreviewLimits): string {
  if (typeof value === 'string') return JSON.stringify(value.length > limits.stringLength ? `${value.slice(0, limits.stringLength)}...` : value);
  if (typeof value !== 'object' || value === null) return String(value);
  if (Array.isArray(value)) {
    if (depth === 0) return '[...]';
    const items = value.slice(0, limits.entries).map((item) => preview(item, depth - 1, limits));
    return `[${items.join(',')}${value.length > limits.entries ? ',...' : ''}]`;
  }
  if (depth === 0) return '{...}';
  const entries: string[] = [];
  for (const key in value) {
    if (entries.length === limits.entries) {
      entries.push('...');
      break;
    }
    entries.push(`${preview(key, 0, limits)}:${preview((value as Record<string, unknown>)[key], depth - 1, limits)}`);
  }
  return `{${entries.join(',')}}`;
}
