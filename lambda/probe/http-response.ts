/**
 * An incremental HTTP/1.x response reader.
 *
 * The probe speaks raw TCP so that it controls when each byte leaves and sees exactly how
 * the server ends a connection; Node's `http` client would hide both. It only needs to
 * know where a response ends (to reuse the connection for the keep-alive phase) and the
 * few headers a report shows, so this reader skips bodies rather than keeping them.
 */

/** A response whose head has been read. */
export interface ResponseHead {
  readonly status: number;
  /** Header names in lower case; repeated headers are joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  readonly httpVersion: string;
}

export type ReadState =
  | { readonly kind: 'incomplete'; readonly head: ResponseHead | null }
  | { readonly kind: 'complete'; readonly head: ResponseHead }
  | { readonly kind: 'invalid'; readonly firstBytes: string };

const STATUS_LINE = /^HTTP\/(1\.[01]) (\d{3})(?: [^\r\n]*)?$/;
const MAX_HEAD_BYTES = 64 * 1024;

type BodyFraming =
  | { readonly kind: 'length'; remaining: number }
  | { readonly kind: 'chunked'; buffer: Buffer; done: boolean }
  | { readonly kind: 'until-close' };

/**
 * Reads one response at a time from the bytes a connection delivers.
 *
 * @example
 * const reader = new ResponseReader();
 * const state = reader.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
 * // state.kind === 'complete', state.head.status === 200
 */
export class ResponseReader {
  private headBuffer = Buffer.alloc(0);
  private head: ResponseHead | null = null;
  private framing: BodyFraming | null = null;

  /** Feeds received bytes; bytes after a complete response are ignored. */
  public push(chunk: Buffer): ReadState {
    if (this.head === null) {
      this.headBuffer = Buffer.concat([this.headBuffer, chunk]);
      if (!looksLikeHttp(this.headBuffer)) {
        return { kind: 'invalid', firstBytes: printable(this.headBuffer) };
      }
      const end = this.headBuffer.indexOf('\r\n\r\n');
      if (end < 0) {
        return this.headBuffer.length > MAX_HEAD_BYTES
          ? { kind: 'invalid', firstBytes: printable(this.headBuffer) }
          : { kind: 'incomplete', head: null };
      }
      const parsed = parseHead(this.headBuffer.subarray(0, end).toString('latin1'));
      if (parsed === null) {
        return { kind: 'invalid', firstBytes: printable(this.headBuffer) };
      }
      this.head = parsed;
      this.framing = framingOf(parsed);
      chunk = this.headBuffer.subarray(end + 4);
      this.headBuffer = Buffer.alloc(0);
    }
    return this.consumeBody(chunk);
  }

  /** The head read so far, if any (a response cut short by a close still tells its status). */
  public get partialHead(): ResponseHead | null {
    return this.head;
  }

  /**
   * Whether bytes have started to arrive: once they have, the connection is no longer idle.
   */
  public get started(): boolean {
    return this.head !== null || this.headBuffer.length > 0;
  }

  /** Readies the reader for the next response on the same connection. */
  public reset(): void {
    this.headBuffer = Buffer.alloc(0);
    this.head = null;
    this.framing = null;
  }

  private consumeBody(chunk: Buffer): ReadState {
    const head = this.head as ResponseHead;
    const framing = this.framing as BodyFraming;
    switch (framing.kind) {
      case 'length':
        framing.remaining -= Math.min(framing.remaining, chunk.length);
        return framing.remaining === 0 ? { kind: 'complete', head } : { kind: 'incomplete', head };
      case 'chunked':
        framing.buffer = Buffer.concat([framing.buffer, chunk]);
        framing.done = framing.done || chunkedBodyEnds(framing.buffer);
        return framing.done ? { kind: 'complete', head } : { kind: 'incomplete', head };
      case 'until-close':
        return { kind: 'incomplete', head };
    }
  }
}

/**
 * Whether a response of this head lets the client send another request on the connection.
 */
export function keepsAlive(head: ResponseHead): boolean {
  const connection = (head.headers['connection'] ?? '').toLowerCase();
  if (connection.split(',').some((token) => token.trim() === 'close')) return false;
  if (head.httpVersion === '1.0') return connection.includes('keep-alive');
  return framingOf(head).kind !== 'until-close';
}

/** `timeout=N` of a `Keep-Alive` header, in seconds. */
export function advertisedKeepAliveS(keepAlive: string | undefined): number | null {
  const match = /(?:^|[\s,;])timeout\s*=\s*(\d+(?:\.\d+)?)/i.exec(keepAlive ?? '');
  return match ? Number(match[1]) : null;
}

function looksLikeHttp(bytes: Buffer): boolean {
  const prefix = 'HTTP/1.';
  const n = Math.min(bytes.length, prefix.length);
  return bytes.subarray(0, n).toString('latin1') === prefix.slice(0, n);
}

function parseHead(text: string): ResponseHead | null {
  const [statusLine, ...lines] = text.split('\r\n');
  const match = STATUS_LINE.exec(statusLine);
  if (!match) return null;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { httpVersion: match[1], status: Number(match[2]), headers };
}

function framingOf(head: ResponseHead): BodyFraming {
  // Responses that never carry a body (RFC 9112, section 6.3).
  if ((head.status >= 100 && head.status < 200) || head.status === 204 || head.status === 304) {
    return { kind: 'length', remaining: 0 };
  }
  if (/\bchunked\b/i.test(head.headers['transfer-encoding'] ?? '')) {
    return { kind: 'chunked', buffer: Buffer.alloc(0), done: false };
  }
  const length = head.headers['content-length'];
  if (length !== undefined && /^\d+$/.test(length)) {
    return { kind: 'length', remaining: Number(length) };
  }
  return { kind: 'until-close' };
}

/** Whether a chunked body is complete: its last (zero-size) chunk and trailers have arrived. */
function chunkedBodyEnds(body: Buffer): boolean {
  let offset = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd < 0) return false;
    const size = parseInt(body.subarray(offset, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return false;
    // The last chunk ends with an empty line, after any trailers.
    if (size === 0) return body.indexOf('\r\n\r\n', lineEnd) >= 0;
    offset = lineEnd + 2 + size + 2;
  }
}

function printable(bytes: Buffer): string {
  return JSON.stringify(bytes.subarray(0, 24).toString('latin1'));
}
