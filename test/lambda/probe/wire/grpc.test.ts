import { GRPC_EMPTY_REQUEST, GRPC_HEALTH_CHECK_PATH, grpcFrame, grpcMethodOf } from '../../../../lambda/probe/wire/grpc';
import { http2RequestOf } from '../../../../lambda/probe/wire/http2';

describe('the gRPC request', () => {
  it('frames a message with a zero compressed flag and its big-endian length', () => {
    // Act & Assess
    expect(GRPC_EMPTY_REQUEST).toEqual(Buffer.from([0, 0, 0, 0, 0]));
    expect(grpcFrame(Buffer.from([8, 1]))).toEqual(Buffer.from([0, 0, 0, 0, 2, 8, 1]));
  });

  it.each([
    ['/', GRPC_HEALTH_CHECK_PATH],
    ['/health', GRPC_HEALTH_CHECK_PATH],
    ['/AWS.ALB/healthcheck', '/AWS.ALB/healthcheck'],
    ['/pkg.v1.Greeter/SayHello', '/pkg.v1.Greeter/SayHello'],
    ['/pkg.Greeter/Say/Hello', GRPC_HEALTH_CHECK_PATH],
  ])('calls %s as %s', (path, method) => {
    // Act & Assess
    expect(grpcMethodOf(path)).toBe(method);
  });

  it('is a POST of one empty message with the gRPC content type and te: trailers', () => {
    // Act
    const request = http2RequestOf({ host: '10.0.1.7', port: 50051, tls: true, path: '/', protocolVersion: 'GRPC' });

    // Assess
    expect(request.headers).toMatchObject({ ':method': 'POST', ':path': GRPC_HEALTH_CHECK_PATH, ':scheme': 'https', ':authority': '10.0.1.7:50051', 'content-type': 'application/grpc', te: 'trailers' });
    expect(request.body).toEqual(GRPC_EMPTY_REQUEST);
  });

  it('is a GET of the target path on an HTTP/2 target, with its Host header as the authority', () => {
    // Act
    const request = http2RequestOf({ host: '10.0.1.7', port: 80, tls: false, path: '/health', hostHeader: 'api.example.com', protocolVersion: 'HTTP2' });

    // Assess
    expect(request).toEqual({ headers: expect.objectContaining({ ':method': 'GET', ':path': '/health', ':authority': 'api.example.com', ':scheme': 'http' }), body: null });
  });

  it('refuses a path that may not go into a request', () => {
    // Act & Assess
    expect(() => http2RequestOf({ host: '10.0.1.7', port: 80, tls: false, path: '/a\r\nx: y', protocolVersion: 'HTTP2' })).toThrow(/^path .*: expected a path starting with \//);
  });
});
