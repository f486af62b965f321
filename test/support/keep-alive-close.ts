/**
 * What a backend really does, measured apart from idle-canary: seconds from a response to the
 * server closing the idle keep-alive connection.
 */
import { once } from 'node:events';
import { connect } from 'node:net';

/**
 * Sends one request to a loopback backend and times the close of the idle connection after the
 * response (at most 30 s).
 *
 * @example
 * await keepAliveCloseS(backend.port); // 2.01 for Node.js with keepAliveTimeout 1000
 */
export async function keepAliveCloseS(port: number): Promise<number> {
  const socket = connect(port, '127.0.0.1');
  socket.setTimeout(30_000, () => socket.destroy());
  let answeredAt = 0;
  socket.on('data', (chunk: Buffer) => {
    if (chunk.toString('latin1').includes('\r\n\r\nok')) answeredAt = performance.now();
  });
  socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  await once(socket, 'close');
  return (performance.now() - answeredAt) / 1000;
}
