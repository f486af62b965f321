/**
 * Reads HTTP/1.x responses from the bytes a probe connection delivers, with `http-parser-js`.
 *
 * The probe speaks raw TCP so that it controls when each byte leaves and sees exactly how
 * the server ends a connection; Node's `http` client would hide both. The parsing itself is
 * left to a well-kept parser, held to strict bounds because any backend may be hostile:
 * chunk sizes and lengths are checked before the parser acts on them (a negative size made
 * it loop), bodies are counted and dropped, never stored, and a response may take at most
 * `READER_LIMITS.maxResponseBytes` bytes. Every `push` does work proportional to its chunk.
 */
import { HTTPParser } from 'http-parser-js';
import { printable } from '../shared/printable';
import type { ResponseHead } from './wire/types';

export type ReadState =
  | { readonly kind: 'incomplete'; readonly head: ResponseHead | null }
  | { readonly kind: 'complete'; readonly head: ResponseHead }
  | {
      readonly kind: 'invalid';
      /** The first bytes of the response, quoted as a one-line JSON string. */
      readonly firstBytes: string;
      /** One line, printable: what was wrong, e.g. `invalid chunk size "-6"`. */
      readonly reason: string;
      /** `false` when the bytes were not HTTP/1.x at all (a TLS or SSH port, say). */
      readonly speaksHttp: boolean;
    };

/** How much a single response may take before the reader gives up on it. */
export const READER_LIMITS = {
  /** Status line and headers of one response (interim responses each count anew). */
  maxHeadBytes: 64 * 1024,
  /** A chunk-size or trailer line. */
  maxLineBytes: 8 * 1024,
  /** Everything of one response, interim responses and body included. */
  maxResponseBytes: 64 * 1024 * 1024,
  /** `1xx` responses before the final one. */
  maxInterimResponses: 16,
} as const;

const HTTP_PREFIX = 'HTTP/1.';
/** `1*HEXDIG [ chunk-ext ]`; twelve digits (2^48) are more than any response may take anyway. */
const CHUNK_SIZE_LINE = /^([0-9a-f]{1,12})[ \t]*(?:;.*)?$/i;
const DECIMAL_LENGTH = /^\d{1,15}$/;

/** The parser's fields and states this module reads or replaces (not in its typings). */
interface ParserInternals {
  line: string;
  body_bytes: number | null;
  isChunked: boolean;
  state: string;
  offset: number;
  end: number;
  consumeLine(): string | undefined;
  [key: string]: unknown;
}

/** Thrown inside parser callbacks; `execute` hands it back. */
class FramingError extends Error {}

/**
 * Reads one response at a time; a 1xx interim response (such as 103 Early Hints) is skipped.
 *
 * @example
 * const reader = new ResponseReader();
 * const state = reader.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
 * // state.kind === 'complete', state.head.status === 200
 */
export class ResponseReader {
  private parser = this.newParser();
  private firstBytes = Buffer.alloc(0);
  private bytes = 0;
  private interim = 0;
  private head: ResponseHead | null = null;
  private completed = false;
  private failure: ReadState | null = null;

  /** Feeds received bytes; bytes after a complete response are ignored. */
  public push(chunk: Buffer): ReadState {
    if (this.completed || this.failure !== null) return this.state();
    if (this.firstBytes.length < 24) this.firstBytes = Buffer.concat([this.firstBytes, chunk.subarray(0, 24 - this.firstBytes.length)]);
    if (!looksLikeHttp(this.firstBytes)) return this.fail(`does not speak HTTP/1.x (it answered ${this.quotedFirstBytes()})`, false);
    this.bytes += chunk.length;
    if (this.bytes > READER_LIMITS.maxResponseBytes) return this.fail(`more than ${READER_LIMITS.maxResponseBytes / 2 ** 20} MiB without the response ending`);
    const result = execute(() => this.parser.execute(chunk));
    if (result instanceof Error) return this.fail(result instanceof FramingError ? result.message : parserErrorText(result));
    const internals = this.parser as unknown as ParserInternals;
    if (!this.completed && internals.line.length > READER_LIMITS.maxLineBytes) return this.fail(`a line longer than ${READER_LIMITS.maxLineBytes} bytes`);
    return this.state();
  }

  /**
   * The connection has ended: a body that runs until the close (HTTP/1.0 without
   * `Content-Length`) is complete now.
   */
  public finish(): ReadState {
    if (!this.completed && this.failure === null && this.head !== null) {
      execute(() => this.parser.finish());
    }
    return this.state();
  }

  /** The head read so far, if any (a response cut short by a close still tells its status). */
  public get partialHead(): ResponseHead | null {
    return this.head;
  }

  /** Readies the reader for the next response on the same connection. */
  public reset(): void {
    this.parser = this.newParser();
    this.firstBytes = Buffer.alloc(0);
    this.bytes = 0;
    this.interim = 0;
    this.head = null;
    this.completed = false;
    this.failure = null;
  }

  private newParser() {
    return createParser({
      head: (versionMajor, versionMinor, status, rawHeaders, parser) => this.onHead(versionMajor, versionMinor, status, rawHeaders, parser),
      end: () => this.onMessageEnd(),
      done: () => this.completed,
    });
  }

  /** Called with each head; returns whether the message has no body. */
  private onHead(versionMajor: number, versionMinor: number, status: number, rawHeaders: readonly string[], parser: ParserInternals): boolean {
    if (versionMajor !== 1 || versionMinor > 1) throw new FramingError(`HTTP version ${versionMajor}.${versionMinor}`);
    if (status === 101) throw new FramingError('switched protocols (101) though no upgrade was asked for');
    const headers = joinHeaders(rawHeaders);
    checkFraming(headers, parser);
    if (status >= 100 && status < 200) {
      if (++this.interim > READER_LIMITS.maxInterimResponses) throw new FramingError(`more than ${READER_LIMITS.maxInterimResponses} interim (1xx) responses`);
      return true;
    }
    this.head = { status, headers, httpVersion: `${versionMajor}.${versionMinor}` };
    return status === 204 || status === 304;
  }

  /** Called at the end of each message; interim responses are not the answer. */
  private onMessageEnd(): void {
    if (this.head !== null) this.completed = true;
  }

  private state(): ReadState {
    if (this.failure !== null) return this.failure;
    if (this.completed && this.head !== null) return { kind: 'complete', head: this.head };
    return { kind: 'incomplete', head: this.head };
  }

  private fail(reason: string, speaksHttp = true): ReadState {
    // The reason quotes the server's bytes: printable here, so that no record or report gets a raw control character.
    this.failure = { kind: 'invalid', firstBytes: this.quotedFirstBytes(), reason: printable(speaksHttp ? `sent a malformed HTTP response: ${reason}` : reason), speaksHttp };
    return this.failure;
  }

  /** `JSON.stringify` leaves C1 controls (0x80 to 0x9f in latin1) raw: `printable` escapes them. */
  private quotedFirstBytes(): string {
    return printable(JSON.stringify(this.firstBytes.toString('latin1')));
  }
}

/**
 * Whether a response of this head lets the client send another request on the connection.
 */
export function keepsAlive(head: ResponseHead): boolean {
  // HTTP/2 has no Connection header and no body that ends at the close: a connection carries stream after stream.
  if (head.httpVersion === '2') return true;
  const connection = (head.headers['connection'] ?? '').toLowerCase();
  if (connection.split(',').some((token) => token.trim() === 'close')) return false;
  // A body that ends at the close ends the connection too, whatever the headers say.
  if (bodyEndsAtClose(head) === true) return false;
  return head.httpVersion !== '1.0' || connection.includes('keep-alive');
}

/** `timeout=N` of a `Keep-Alive` header, in seconds. */
export function advertisedKeepAliveS(keepAlive: string | undefined): number | null {
  const match = /(?:^|[\s,;])timeout\s*=\s*(\d+(?:\.\d+)?)/i.exec(keepAlive ?? '');
  return match ? Number(match[1]) : null;
}

/** What the parser tells its reader. */
interface ParserEvents {
  /** A head was read; returns whether its message has no body. */
  head(versionMajor: number, versionMinor: number, status: number, rawHeaders: readonly string[], parser: ParserInternals): boolean;
  /** A message (interim or final) ended. */
  end(): void;
  /** Whether the final response has ended: the parser then skips what follows. */
  done(): boolean;
}

/** A parser whose framing decisions are checked first, and whose callbacks feed the reader. */
function createParser(reader: ParserEvents) {
  const parser = new HTTPParser(HTTPParser.RESPONSE);
  const internals = parser as unknown as ParserInternals;
  parser.maxHeaderSize = READER_LIMITS.maxHeadBytes;
  parser[HTTPParser.kOnHeadersComplete] = (info) =>
    // 1 tells the parser the message has no body.
    reader.head(info.versionMajor, info.versionMinor, info.statusCode, info.headers, internals) ? 1 : 0;
  // Bodies are counted by the reader and dropped here, never kept.
  parser[HTTPParser.kOnBody] = () => undefined;
  parser[HTTPParser.kOnMessageComplete] = () => reader.end();
  // Bytes after the final response are not ours to read (the parser would start a new one).
  const nextMessage = internals.nextRequest as (this: ParserInternals) => void;
  internals.nextRequest = function nextRequest(this: ParserInternals): void {
    nextMessage.call(this);
    if (reader.done()) this.state = 'DRAIN';
  };
  // The parser's own chunk-size reading takes `parseInt` at its word: "-6" loops forever.
  internals.BODY_CHUNKHEAD = function strictChunkHead(this: ParserInternals): void {
    const line = this.consumeLine();
    if (line === undefined) return;
    const match = CHUNK_SIZE_LINE.exec(line);
    if (match === null) throw new FramingError(`invalid chunk size ${JSON.stringify(line.slice(0, 40))}`);
    this.body_bytes = parseInt(match[1], 16);
    this.state = this.body_bytes === 0 ? 'BODY_CHUNKTRAILERS' : 'BODY_CHUNK';
  };
  internals.DRAIN = function drain(this: ParserInternals): void {
    this.offset = this.end;
  };
  return parser;
}

/**
 * Runs the parser; an error thrown from a callback (which the parser rethrows) is returned
 * like the parser's own.
 */
function execute<T>(run: () => T): T | Error {
  try {
    return run();
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * Checks what decides where the body ends, before the parser relies on it: one valid
 * `Content-Length`, and `chunked` only as the last transfer coding (RFC 9112, section 6.3).
 */
function checkFraming(headers: Readonly<Record<string, string>>, parser: ParserInternals): void {
  const transferEncoding = headers['transfer-encoding'];
  if (transferEncoding !== undefined) {
    const codings = transferEncoding.split(',').map((coding) => coding.trim().toLowerCase());
    // Chunked last: chunked framing; any other coding last: the body ends at the close.
    parser.isChunked = codings[codings.length - 1] === 'chunked';
    if (!parser.isChunked) parser.body_bytes = null;
    return;
  }
  const length = headers['content-length'];
  if (length === undefined) return;
  const values = [...new Set(length.split(',').map((value) => value.trim()))];
  if (values.length > 1) throw new FramingError(`conflicting Content-Length values ${JSON.stringify(length.slice(0, 60))}`);
  if (!DECIMAL_LENGTH.test(values[0])) throw new FramingError(`invalid Content-Length ${JSON.stringify(values[0].slice(0, 40))}`);
  parser.body_bytes = Number(values[0]);
}

/** `null` when the head says nothing either way (it has no body). */
function bodyEndsAtClose(head: ResponseHead): boolean | null {
  if ((head.status >= 100 && head.status < 200) || head.status === 204 || head.status === 304) return null;
  const transferEncoding = head.headers['transfer-encoding'];
  if (transferEncoding !== undefined) return !/(?:^|,)\s*chunked\s*$/i.test(transferEncoding);
  return head.headers['content-length'] === undefined;
}

function joinHeaders(raw: readonly string[]): Record<string, string> {
  // No prototype: a header named `__proto__` or `constructor` is just a header.
  const headers: Record<string, string> = Object.create(null);
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    headers[name] = Object.hasOwn(headers, name) ? `${headers[name]}, ${raw[i + 1]}` : raw[i + 1];
  }
  return headers;
}

function parserErrorText(error: Error & { code?: string }): string {
  const known: Readonly<Record<string, string>> = {
    HPE_UNEXPECTED_CONTENT_LENGTH: 'conflicting Content-Length headers',
    HPE_INVALID_CONSTANT: 'invalid status line',
    HPE_LF_EXPECTED: 'a bare CR in a header line',
  };
  if (error.message === 'max header size exceeded') return `a head longer than ${READER_LIMITS.maxHeadBytes / 1024} KiB`;
  return known[error.code ?? ''] ?? error.message.split('\n')[0];
}

function looksLikeHttp(bytes: Buffer): boolean {
  const n = Math.min(bytes.length, HTTP_PREFIX.length);
  return bytes.subarray(0, n).toString('latin1') === HTTP_PREFIX.slice(0, n);
}
