import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { exitWithParent, reply, settledMemory, type ChildRequest } from './ipc';

/**
 * Reference (c): the least a `ws` relay can do — upgrade and pair by session id, pipe messages. No
 * token, no origin check, no timers, heartbeat, limits, metrics, events or logs. It shows how much of
 * the relay's setup cost and memory per pair is the `ws` + `http` floor on this machine.
 */
function main(): void {
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    handleProtocols: (offered: Set<string>) => (offered.has('relay.v1') ? 'relay.v1' : false),
  });
  const waiting = new Map<string, WebSocket>();
  const server = createServer();
  server.on('upgrade', (req, socket, head) => {
    const sid = new URLSearchParams((req.url ?? '').split('?')[1] ?? '').get('sid') ?? '';
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => ws.terminate());
      const peer = waiting.get(sid);
      if (!peer) {
        waiting.set(sid, ws);
        return;
      }
      waiting.delete(sid);
      ws.on('message', (d, isBinary) => peer.send(d, { binary: isBinary }));
      peer.on('message', (d, isBinary) => ws.send(d, { binary: isBinary }));
      ws.on('close', () => peer.terminate());
      peer.on('close', () => ws.terminate());
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    reply({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0 });
  });
  exitWithParent();
  process.on('message', (m: ChildRequest) => {
    if (m.type === 'mem') void settledMemory(m.gc).then((mem) => reply({ type: 'mem', ...mem }));
    if (m.type === 'stop') process.exit(0);
  });
}

main();
