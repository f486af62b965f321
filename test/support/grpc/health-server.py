"""A gRPC server (Debian's python3-grpcio) with the standard health service, for the probe's tests.

Usage: health-server.py IDLE_MS. IDLE_MS > 0 sets grpc.max_connection_idle_ms: gRPC closes an
idle connection with GOAWAY. Prints its port, then one line "served PATH" per call answered.
No generated code: the health service's Check answers the serialized HealthCheckResponse
{status: SERVING} (bytes 08 01) to any request.
"""
import sys
import threading
from concurrent import futures

import grpc

SERVING = b"\x08\x01"
# Calls run on four threads: print() writes a line and its newline apart, and two calls at once
# wrote "served ...served ..." on one line.
STDOUT = threading.Lock()


def check(_request, _context):
    with STDOUT:
        sys.stdout.write("served /grpc.health.v1.Health/Check\n")
        sys.stdout.flush()
    return SERVING


idle_ms = int(sys.argv[1])
options = [("grpc.max_connection_idle_ms", idle_ms)] if idle_ms > 0 else []
server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=options)
server.add_generic_rpc_handlers(
    (grpc.method_handlers_generic_handler("grpc.health.v1.Health", {"Check": grpc.unary_unary_rpc_method_handler(check)}),)
)
port = server.add_insecure_port("127.0.0.1:0")
server.start()
print(port, flush=True)
server.wait_for_termination()
