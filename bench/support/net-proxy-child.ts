import { createServer, type Socket } from 'node:net';
import { exitWithParent, reply, settledMemory, type ChildRequest } from './ipc';

/** Bytes a baseline client sends first: a 36-character pair id and a role letter. */
export const NET_HEADER_BYTES = 37;

/**
 * Baseline (a): the simplest useful TCP relay. Two clients that send the same 36-byte id are piped to
 * each other with `socket.pipe` (which has backpressure built in). No framing, no auth, no limits.
 */
function main(): void {
  const waiting = new Map<string, Socket>();
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    let header = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      header = Buffer.concat([header, chunk]);
      if (header.length < NET_HEADER_BYTES) return;
      socket.off('data', onData);
      socket.pause();
      const rest = header.subarray(NET_HEADER_BYTES);
      if (rest.length) socket.unshift(rest);
      const id = header.subarray(0, 36).toString('latin1');
      const peer = waiting.get(id);
      if (!peer) {
        waiting.set(id, socket);
        socket.once('close', () => waiting.get(id) === socket && waiting.delete(id));
        return;
      }
      waiting.delete(id);
      peer.pipe(socket);
      socket.pipe(peer);
      peer.once('close', () => socket.destroy());
      socket.once('close', () => peer.destroy());
    };
    socket.on('data', onData);
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    reply({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0 });
  });
  exitWithParent();
  process.on('message', (m: ChildRequest) => {
    if (m.type === 'mem') void settledMemory(m.gc).then((mem) => reply({ type: 'mem', ...mem }));
    if (m.type === 'stop') {
      server.close();
      process.exit(0);
    }
  });
}

main();
