import { ResponseReader, advertisedKeepAliveS, keepsAlive } from '../../../lambda/probe/http-response';

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
    expect(state).toEqual({ kind: 'invalid', firstBytes: '"SSH-2.0-OpenSSH_9.2\\r\\n"' });
  });

  it('waits when the first bytes could still be HTTP', () => {
    // Act & Assess
    expect(feed('HTT')[0].kind).toBe('incomplete');
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
  });

  it('treats a body delimited by the close as closing', () => {
    // Act & Assess
    expect(keepsAlive(head('1.1', {}))).toBe(false);
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
