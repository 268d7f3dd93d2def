import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { ControlCloseCode } from '../../../contracts/agent-protocol/connection';
import { parseAgentMessage } from '../../../contracts/agent-protocol/control-message-parser';
import type {
  AgentToPortalMessage,
  PortalToAgentMessage,
} from '../../../contracts/agent-protocol/control-messages';

export const DEVICE = '3f1c2a4e-8b7d-4c3e-9a21-5d6f7e8a9b0c';
export const CREDENTIAL = 'Zx8yQ2w3E4r5T6y7U8i9O0pA1s2D3f4G5h6J7k8L9zX';

/** A tiny stand-in portal: checks the bearer before the upgrade, answers hello, records frames. */
export class FakePortal {
  server!: Server;
  port = 0;
  readonly wss = new WebSocketServer({ noServer: true });
  readonly received: AgentToPortalMessage[] = [];
  readonly sockets: WebSocket[] = [];
  authHeaders: Array<string | undefined> = [];
  refuseWith: number | undefined;
  /** What `hello_ack` says the portal speaks (an older portal by default). */
  protocolVersion = '1.0';

  async start(port = 0): Promise<void> {
    this.server = createServer();
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.authHeaders.push(req.headers.authorization);
      if (this.refuseWith || req.headers.authorization !== `Bearer ${DEVICE}.${CREDENTIAL}`) {
        socket.end(`HTTP/1.1 ${this.refuseWith ?? 401} No\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.sockets.push(ws);
        ws.on('message', (data) => {
          const parsed = parseAgentMessage((data as Buffer).toString('utf8'));
          if (!parsed.ok) throw new Error(parsed.error);
          this.received.push(parsed.value);
          if (parsed.value.type === 'hello') {
            ws.send(
              JSON.stringify({
                type: 'hello_ack',
                replyTo: parsed.value.id,
                protocolVersion: this.protocolVersion,
                heartbeatSec: 5,
                serverTime: new Date().toISOString(),
              }),
            );
          }
        });
      });
    });
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(code = ControlCloseCode.PortalShuttingDown): Promise<void> {
    for (const ws of this.sockets.splice(0)) ws.close(code, 'bye');
    await new Promise((resolve) => this.server.close(resolve));
  }

  send(message: PortalToAgentMessage): void {
    for (const ws of this.sockets) ws.send(JSON.stringify(message));
  }
}

export async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
