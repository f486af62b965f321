import { TARGET_FORMS, parseTargetSpec } from '../../cli/target-spec';

describe('parseTargetSpec', () => {
  it.each([
    ['127.0.0.1:8080', { host: '127.0.0.1', port: 8080, tls: false, path: '/' }],
    ['[::1]:8080', { host: '::1', port: 8080, tls: false, path: '/' }],
    ['http://10.0.3.17:30080/health?full=1', { host: '10.0.3.17', port: 30080, tls: false, path: '/health?full=1' }],
    ['https://api.internal/health', { host: 'api.internal', port: 443, tls: true, path: '/health' }],
    ['http://api.internal', { host: 'api.internal', port: 80, tls: false, path: '/' }],
    ['h2c://10.0.3.17:8080', { host: '10.0.3.17', port: 8080, tls: false, path: '/', protocolVersion: 'HTTP2' }],
    ['h2://api.internal:8443/health', { host: 'api.internal', port: 8443, tls: true, path: '/health', protocolVersion: 'HTTP2' }],
    ['grpc://[::1]:50051', { host: '::1', port: 50051, tls: false, path: '/', protocolVersion: 'GRPC' }],
    ['grpcs://api.internal/AWS.ALB/healthcheck', { host: 'api.internal', port: 443, tls: true, path: '/AWS.ALB/healthcheck', protocolVersion: 'GRPC' }],
  ])('reads %s', (spec, expected) => {
    // Act & Assess
    expect(parseTargetSpec(spec)).toEqual(expected);
  });

  it.each([
    ['10.0.3.17', `bad target "10.0.3.17": no port; expected ${TARGET_FORMS}`],
    ['ftp://10.0.3.17:21/', `bad target "ftp://10.0.3.17:21/": scheme ftp is not supported; expected ${TARGET_FORMS}`],
    ['10.0.3.17:99999', `bad target "10.0.3.17:99999": port 99999 is not from 1 to 65535; expected ${TARGET_FORMS}`],
    ['10.0.3.17:0', `bad target "10.0.3.17:0": port 0 is not from 1 to 65535; expected ${TARGET_FORMS}`],
    ['http://10.0.3.17:0/', `bad target "http://10.0.3.17:0/": port 0 is not from 1 to 65535; expected ${TARGET_FORMS}`],
    ['https://10.0.3.17:0/health', `bad target "https://10.0.3.17:0/health": port 0 is not from 1 to 65535; expected ${TARGET_FORMS}`],
    ['http://10.0.3.17:80/a\r\nX-Injected: yes', 'bad target "http://10.0.3.17:80/a\\x0d\\x0aX-Injected: yes": it contains control characters (such as CR or LF); expected host:port'],
    ['h3://10.0.3.17:443/', `bad target "h3://10.0.3.17:443/": scheme h3 is not supported; expected ${TARGET_FORMS}`],
    ['h2c://10.0.3.17:0/', `bad target "h2c://10.0.3.17:0/": port 0 is not from 1 to 65535; expected ${TARGET_FORMS}`],
    ['10.0.3.17:80/health', `bad target "10.0.3.17:80/health": expected ${TARGET_FORMS}`],
  ])('rejects %s with a one-line error naming it and what is accepted', (spec, message) => {
    // Act & Assess
    expect(() => parseTargetSpec(spec)).toThrow(message);
  });
});
