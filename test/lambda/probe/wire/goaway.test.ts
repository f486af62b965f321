import { describeGoaway, goawayOf, http2ErrorName, servedBefore } from '../../../../lambda/probe/wire/goaway';

describe('GOAWAY in records and reports', () => {
  it.each([
    [0, 'NO_ERROR'],
    [2, 'INTERNAL_ERROR'],
    [11, 'ENHANCE_YOUR_CALM'],
    [13, 'HTTP_1_1_REQUIRED'],
    [0xdead, 'error 0xdead'],
  ])('names error code %d as %s', (code, name) => {
    // Act & Assess
    expect(http2ErrorName(code)).toBe(name);
  });

  it('says a GOAWAY in one phrase with its code and last stream', () => {
    // Act & Assess
    expect(describeGoaway({ code: 0, lastStreamId: 3 })).toBe('GOAWAY (NO_ERROR, last stream 3)');
  });

  it('counts a request on a stream after the last stream id as never served', () => {
    // Prepare
    const goaway = { code: 0, lastStreamId: 1 };

    // Act & Assess
    expect(servedBefore(goaway, 1)).toBe(true);
    expect(servedBefore(goaway, 3)).toBe(false);
    expect(servedBefore(goaway, undefined)).toBe(false);
  });

  it('keeps only the code and last stream id of a protocol close in a record', () => {
    // Act & Assess
    expect(goawayOf({ protocolClose: { kind: 'goaway', code: 0, lastStreamId: 5 } })).toEqual({ goaway: { code: 0, lastStreamId: 5 } });
    expect(goawayOf({})).toEqual({});
  });
});
