import { hostHeaderOf, requestSegments } from '../../../lambda/probe/request';

describe('requestSegments', () => {
  it('splits the request after the request line, so that lazy header checks see incomplete headers', () => {
    // Act
    const [line, rest] = requestSegments({ host: '10.0.0.5', port: 30080, tls: false, path: '/health' });

    // Assess
    expect(line).toBe('GET /health HTTP/1.1\r\n');
    expect(rest).toBe('Host: 10.0.0.5:30080\r\nUser-Agent: idle-canary\r\nAccept: */*\r\n\r\n');
  });
});

describe('hostHeaderOf', () => {
  it('omits default ports and brackets IPv6 addresses', () => {
    // Act & Assess
    expect(hostHeaderOf({ host: 'api.internal', port: 443, tls: true, path: '/' })).toBe('api.internal');
    expect(hostHeaderOf({ host: '::1', port: 8080, tls: false, path: '/' })).toBe('[::1]:8080');
  });

  it('uses the given Host header as is', () => {
    // Act & Assess
    expect(hostHeaderOf({ host: '10.0.0.5', port: 80, tls: false, path: '/', hostHeader: 'shop.example' })).toBe('shop.example');
  });
});
