import { connect, type Socket } from 'node:net';

/** Opens a TCP connection; rejects with the socket error (ECONNREFUSED when nothing listens). */
export function connectTcp(host: string, port: number, timeoutMs = 3000): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(Object.assign(new Error('connection timed out'), { code: 'ETIMEDOUT' })),
    );
    socket.once('connect', () => {
      socket.setTimeout(0);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Polls until something accepts on host:port, `alive()` turns false, or the time is up. */
export async function waitForPort(
  host: string,
  port: number,
  timeoutMs: number,
  alive: () => boolean = () => true,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const socket = await connectTcp(host, port, 1000);
      socket.destroy();
      return;
    } catch (err) {
      if (!alive()) throw new Error('the process exited before it listened', { cause: err });
      if (Date.now() > until) throw new Error(`nothing listened on ${host}:${port} in time`, { cause: err });
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
