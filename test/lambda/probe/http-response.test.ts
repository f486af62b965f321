import { READER_LIMITS, ResponseReader, advertisedKeepAliveS, keepsAlive, type ReadState } from '../../../lambda/probe/http-response';

const feed = (...chunks: string[]) => {
  const reader = new ResponseReader();
  return chunks.map((chunk) => reader.push(Buffer.from(chunk, 'latin1')));
};

describe('ResponseReader', () => {
  it('completes a response framed by Content-Length across chunks', () => {
    // Act
    const states = feed('HTTP/1.1 200 OK\r\nContent-Len', 'gth: 5\r\nServer: nginx\r\n\r\nhel', 'lo');

    // Assess
    expect(states.map((s) => s.kind)).toEqual(['incomplete', 'incomplete', 'complete']);
    const last = states[2];
    expect(last.kind === 'complete' && last.head.headers['server']).toBe('nginx');
  });

  it('completes a chunked response only after its last chunk', () => {
    // Act
    const states = feed('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n', '0\r\n\r\n');

    // Assess
    expect(states.map((s) => s.kind)).toEqual(['incomplete', 'complete']);
  });

  it('completes bodiless responses at the end of the head', () => {
    // Act & Assess
    expect(feed('HTTP/1.1 204 No Content\r\n\r\n')[0].kind).toBe('complete');
  });

  it('keeps the status of a response cut short', () => {
    // Prepare
    const reader = new ResponseReader();

    // Act
    reader.push(Buffer.from('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n'));

    // Assess
    expect(reader.partialHead?.status).toBe(408);
  });

  it('rejects bytes that are not HTTP/1.x, quoting them', () => {
    // Act
    const [state] = feed('SSH-2.0-OpenSSH_9.2\r\n');

    // Assess
    expect(state).toEqual({
      kind: 'invalid',
      firstBytes: '"SSH-2.0-OpenSSH_9.2\\r\\n"',
      reason: 'does not speak HTTP/1.x (it answered "SSH-2.0-OpenSSH_9.2\\r\\n")',
      speaksHttp: false,
    });
  });

  it('quotes a C1 control of the first bytes escaped, as JSON.stringify leaves it raw', () => {
    // Act
    const [state] = feed('X\u009b2J');

    // Assess
    expect(state).toMatchObject({ kind: 'invalid', firstBytes: '"X\\x9b2J"', reason: 'does not speak HTTP/1.x (it answered "X\\x9b2J")' });
  });

  it('waits when the first bytes could still be HTTP', () => {
    // Act & Assess
    expect(feed('HTT')[0].kind).toBe('incomplete');
  });

  it('skips interim 1xx responses such as 103 Early Hints, in one chunk or apart', () => {
    // Prepare
    const early = 'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n';
    const final = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

    // Act
    const together = feed(early + final);
    const apart = feed(early, final);

    // Assess
    expect(together[0]).toMatchObject({ kind: 'complete', head: { status: 200 } });
    expect(apart.map((s) => s.kind)).toEqual(['incomplete', 'complete']);
    expect(apart[0]).toEqual({ kind: 'incomplete', head: null });
  });

  it('completes a body that ends at the close (HTTP/1.0 without Content-Length) when the connection ends', () => {
    // Prepare
    const reader = new ResponseReader();

    // Act
    const before = reader.push(Buffer.from('HTTP/1.0 200 OK\r\nServer: old\r\n\r\nhello'));
    const after = reader.finish();

    // Assess
    expect(before.kind).toBe('incomplete');
    expect(after).toMatchObject({ kind: 'complete', head: { status: 200, httpVersion: '1.0' } });
  });

  it('ignores bytes after a complete response', () => {
    // Act
    const states = feed('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokGARBAGE', 'more garbage');

    // Assess
    expect(states.map((s) => s.kind)).toEqual(['complete', 'complete']);
  });

  it('keeps header names such as __proto__ as plain headers', () => {
    // Act
    const [state] = feed('HTTP/1.1 200 OK\r\n__proto__: x\r\nConstructor: y\r\nContent-Length: 0\r\n\r\n');

    // Assess
    expect(state.kind === 'complete' && Object.entries(state.head.headers)).toEqual([
      ['__proto__', 'x'],
      ['constructor', 'y'],
      ['content-length', '0'],
    ]);
  });
});

describe('ResponseReader with malformed framings', () => {
  /** Feeds one byte per step, so that a loop inside any step would show as a hang of this test. */
  const byteByByte = (text: string): { state: ReadState; steps: number } => {
    const reader = new ResponseReader();
    const bytes = Buffer.from(text, 'latin1');
    let state: ReadState = { kind: 'incomplete', head: null };
    let steps = 0;
    for (const byte of bytes) {
      steps++;
      state = reader.push(Buffer.from([byte]));
      if (state.kind === 'invalid') break;
    }
    return { state, steps };
  };
  /** Pushes the same chunk until the reader settles (at most a million times). */
  const pushUntilSettled = (reader: ResponseReader, chunk: Buffer): { state: ReadState; steps: number } => {
    let state: ReadState = { kind: 'incomplete', head: null };
    let steps = 0;
    while (state.kind === 'incomplete' && steps < 1_000_000) {
      steps++;
      state = reader.push(chunk);
    }
    return { state, steps };
  };
  const head = (...lines: string[]) => `HTTP/1.1 200 OK\r\n${lines.map((line) => `${line}\r\n`).join('')}\r\n`;

  it.each([
    ['a negative chunk size (-6)', `${head('Transfer-Encoding: chunked')}-6\r\n`, 'invalid chunk size "-6"'],
    ['a chunk size that overflows', `${head('Transfer-Encoding: chunked')}${'f'.repeat(20)}\r\n`, `invalid chunk size "${'f'.repeat(20)}"`],
    ['a chunk size that is not hexadecimal', `${head('Transfer-Encoding: chunked')}0x1g\r\n`, 'invalid chunk size "0x1g"'],
    ['an empty chunk size', `${head('Transfer-Encoding: chunked')}\r\n`, 'invalid chunk size ""'],
    ['a Content-Length of -1', head('Content-Length: -1'), 'invalid Content-Length "-1"'],
    ['a Content-Length of 2^64', head('Content-Length: 18446744073709551616'), 'invalid Content-Length "18446744073709551616"'],
    ['a Content-Length that is not a number', head('Content-Length: 12abc'), 'invalid Content-Length "12abc"'],
    ['two conflicting Content-Length headers', head('Content-Length: 2', 'Content-Length: 3'), 'conflicting Content-Length headers'],
    ['a list of conflicting lengths', head('Content-Length: 2, 3'), 'conflicting Content-Length values "2, 3"'],
    ['a 101 nobody asked for', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n', 'switched protocols (101) though no upgrade was asked for'],
  ])('returns an error for %s within one step per byte', (_name, text, reason) => {
    // Act
    const { state, steps } = byteByByte(text);

    // Assess
    expect(state).toMatchObject({ kind: 'invalid', speaksHttp: true, reason: `sent a malformed HTTP response: ${reason}` });
    expect(steps).toBeLessThanOrEqual(text.length);
  });

  it('gives up on the -6 chunk in one push (it used to loop forever)', () => {
    // Act
    const [state] = feed('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-6\r\n');

    // Assess
    expect(state).toMatchObject({ kind: 'invalid', reason: 'sent a malformed HTTP response: invalid chunk size "-6"' });
  });

  it('returns an error for a response that never ends its headers, at the head size limit', () => {
    // Prepare
    const reader = new ResponseReader();
    const line = Buffer.from('X-Filler: 0123456789abcdef0123456789abcdef\r\n');
    reader.push(Buffer.from('HTTP/1.1 200 OK\r\n'));

    // Act
    const { state, steps } = pushUntilSettled(reader, line);

    // Assess
    expect(state).toMatchObject({ kind: 'invalid', reason: 'sent a malformed HTTP response: a head longer than 64 KiB' });
    expect(steps).toBeLessThanOrEqual(Math.ceil(READER_LIMITS.maxHeadBytes / line.length) + 1);
  });

  it('returns an error for one header line that never ends', () => {
    // Prepare
    const reader = new ResponseReader();
    reader.push(Buffer.from('HTTP/1.1 200 OK\r\nX-Endless: '));

    // Act
    const { state, steps } = pushUntilSettled(reader, Buffer.alloc(1024, 'a'));

    // Assess
    expect(state.kind).toBe('invalid');
    expect(steps).toBeLessThanOrEqual(READER_LIMITS.maxHeadBytes / 1024 + 1);
  });

  it('returns an error for a chunk-size line that never ends', () => {
    // Prepare
    const reader = new ResponseReader();
    reader.push(Buffer.from(head('Transfer-Encoding: chunked')));

    // Act
    const { state, steps } = pushUntilSettled(reader, Buffer.alloc(1024, '1'));

    // Assess
    expect(state).toMatchObject({ kind: 'invalid', reason: 'sent a malformed HTTP response: a line longer than 8192 bytes' });
    expect(steps).toBeLessThanOrEqual(READER_LIMITS.maxLineBytes / 1024 + 1);
  });

  it('counts an endless chunked body without keeping it, and gives up at the response size limit', () => {
    // Prepare
    const reader = new ResponseReader();
    reader.push(Buffer.from(head('Transfer-Encoding: chunked')));
    const chunk = Buffer.from(`ffff\r\n${'a'.repeat(0xffff)}\r\n`);

    // Act
    const { state, steps } = pushUntilSettled(reader, chunk);

    // Assess
    expect(state).toMatchObject({ kind: 'invalid', reason: 'sent a malformed HTTP response: more than 64 MiB without the response ending' });
    expect(steps).toBeLessThanOrEqual(Math.ceil(READER_LIMITS.maxResponseBytes / chunk.length) + 1);
  });

  it('returns an error after too many interim responses', () => {
    // Act
    const [state] = feed('HTTP/1.1 103 Early Hints\r\n\r\n'.repeat(READER_LIMITS.maxInterimResponses + 1));

    // Assess
    expect(state).toMatchObject({ kind: 'invalid', reason: 'sent a malformed HTTP response: more than 16 interim (1xx) responses' });
  });
});

describe('keepsAlive', () => {
  const head = (httpVersion: string, headers: Record<string, string>) => ({ status: 200, httpVersion, headers });

  it('treats HTTP/1.1 as persistent unless the server says close', () => {
    // Act & Assess
    expect(keepsAlive(head('1.1', { 'content-length': '2' }))).toBe(true);
    expect(keepsAlive(head('1.1', { 'content-length': '2', connection: 'close' }))).toBe(false);
  });

  it('treats HTTP/1.0 as closing unless the server says keep-alive', () => {
    // Act & Assess
    expect(keepsAlive(head('1.0', { 'content-length': '2' }))).toBe(false);
    expect(keepsAlive(head('1.0', { 'content-length': '2', connection: 'keep-alive' }))).toBe(true);
    expect(keepsAlive(head('1.0', { connection: 'keep-alive' }))).toBe(false);
  });

  it('treats a body delimited by the close as closing', () => {
    // Act & Assess
    expect(keepsAlive(head('1.1', {}))).toBe(false);
    expect(keepsAlive(head('1.1', { 'transfer-encoding': 'gzip' }))).toBe(false);
    expect(keepsAlive(head('1.1', { 'transfer-encoding': 'gzip, chunked' }))).toBe(true);
  });
});

describe('advertisedKeepAliveS', () => {
  it('reads timeout=N from a Keep-Alive header', () => {
    // Act & Assess
    expect(advertisedKeepAliveS('timeout=5')).toBe(5);
    expect(advertisedKeepAliveS('max=100, timeout=75')).toBe(75);
    expect(advertisedKeepAliveS(undefined)).toBeNull();
  });
});
