/**
 * The probe's gRPC request: a health check, as an ALB's gRPC health check sends one.
 */

/** The standard health service's method (grpc.health.v1). */
export const GRPC_HEALTH_CHECK_PATH = '/grpc.health.v1.Health/Check';

/** A gRPC method path, `/package.Service/Method`, as an ALB gRPC health check names it. */
const METHOD_PATH = /^\/[A-Za-z_][A-Za-z0-9_.]*\/[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * One gRPC length-prefixed message: a compressed flag (0) and a 4-byte big-endian length,
 * then the message.
 *
 * @example
 * grpcFrame(Buffer.alloc(0)); // <Buffer 00 00 00 00 00>: an empty HealthCheckRequest
 */
export function grpcFrame(message: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/**
 * The method a gRPC target is probed with: the target's path when it names a method (an
 * ALB's gRPC health check path, `/AWS.ALB/healthcheck` by default), else the standard
 * health check. Any gRPC answer proves the connection alive, `UNIMPLEMENTED` included.
 *
 * @example
 * grpcMethodOf('/');                     // '/grpc.health.v1.Health/Check'
 * grpcMethodOf('/pkg.Greeter/SayHello'); // '/pkg.Greeter/SayHello'
 */
export function grpcMethodOf(path: string): string {
  return METHOD_PATH.test(path) ? path : GRPC_HEALTH_CHECK_PATH;
}

/** The request body: one empty message (an empty HealthCheckRequest, or any method's empty request). */
export const GRPC_EMPTY_REQUEST = grpcFrame(Buffer.alloc(0));
