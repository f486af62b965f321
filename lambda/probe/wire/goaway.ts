/**
 * HTTP/2 GOAWAY frames in the words reports and records use.
 *
 * Why a module of its own: the wire records a GOAWAY, the phase results keep it and every
 * report says it the same way; one name per error code, from RFC 9113 section 7.
 */
import type { ProtocolClose } from './types';

/** A GOAWAY as records keep it: its error code and the last stream the server processed. */
export interface Goaway {
  /** The frame's error code (`0`: NO_ERROR, a graceful close such as an idle timeout). */
  readonly code: number;
  /** The last stream the server processed: a request on a later stream was never served. */
  readonly lastStreamId: number;
}

/** HTTP/2 error codes by their number (RFC 9113, section 7). */
const ERROR_CODE_NAMES: readonly string[] = [
  'NO_ERROR',
  'PROTOCOL_ERROR',
  'INTERNAL_ERROR',
  'FLOW_CONTROL_ERROR',
  'SETTINGS_TIMEOUT',
  'STREAM_CLOSED',
  'FRAME_SIZE_ERROR',
  'REFUSED_STREAM',
  'CANCEL',
  'COMPRESSION_ERROR',
  'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY',
  'HTTP_1_1_REQUIRED',
];

/**
 * The name of an HTTP/2 error code; an unknown code (the server's own) as its number.
 *
 * @example
 * http2ErrorName(0);   // 'NO_ERROR'
 * http2ErrorName(255); // 'error 0xff'
 */
export function http2ErrorName(code: number): string {
  return ERROR_CODE_NAMES[code] ?? `error 0x${code.toString(16)}`;
}

/**
 * A GOAWAY in one phrase, for reports.
 *
 * @example
 * describeGoaway({ code: 0, lastStreamId: 1 }); // 'GOAWAY (NO_ERROR, last stream 1)'
 */
export function describeGoaway(goaway: Goaway): string {
  return `GOAWAY (${http2ErrorName(goaway.code)}, last stream ${goaway.lastStreamId})`;
}

/**
 * Whether a request on this stream was served before the GOAWAY: streams after its last
 * stream id were never processed (RFC 9113, section 6.8), so such a request counts as refused.
 *
 * @example
 * servedBefore({ code: 0, lastStreamId: 1 }, 3); // false
 */
export function servedBefore(goaway: Goaway, streamId: number | undefined): boolean {
  return streamId !== undefined && streamId <= goaway.lastStreamId;
}

/**
 * The record's `goaway` field of a close: present only when the server closed with GOAWAY.
 *
 * @example
 * goawayOf({ protocolClose: { kind: 'goaway', code: 0, lastStreamId: 1 } }); // { goaway: { code: 0, lastStreamId: 1 } }
 */
export function goawayOf(close: { readonly protocolClose?: ProtocolClose; readonly goaway?: Goaway }): { goaway?: Goaway } {
  const goaway = close.goaway ?? close.protocolClose;
  return goaway === undefined ? {} : { goaway: { code: goaway.code, lastStreamId: goaway.lastStreamId } };
}

/**
 * How a socket or phase closed, in report words: a GOAWAY with its code and last stream,
 * else the contract's `closedWith`.
 *
 * @example
 * closedWithText({ closedWith: 'goaway', goaway: { code: 0, lastStreamId: 1 } }); // 'GOAWAY (NO_ERROR, last stream 1)'
 * closedWithText({ closedWith: 'fin' });                                          // 'fin'
 */
export function closedWithText<T extends string | null>(closed: { readonly closedWith: T; readonly goaway?: Goaway }): T | string {
  return closed.closedWith === 'goaway' && closed.goaway !== undefined ? describeGoaway(closed.goaway) : closed.closedWith;
}
