import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Subscription } from 'rxjs';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  AGENT_CONTROL_PATH,
  AGENT_PROTOCOL_HEADER,
  ControlCloseCode,
} from '../../contracts/agent-protocol/connection';
import { parseDeviceBearer } from '../../contracts/agent-protocol/device-bearer';
import { CONTROL_MAX_PAYLOAD } from '../../contracts/agent-protocol/limits';
import { PROTOCOL_VERSION, isCompatibleProtocolVersion } from '../../contracts/agent-protocol/version';
import { writeUpgradeRefusal } from '../../contracts/node/upgrade-refusal';
import { DevicePresence } from '../devices/device-presence';
import { DevicesService } from '../devices/devices.service';
import { QuickSupportEvents } from '../quick-support/quick-support-events';
import { AgentConnection } from './agent-connection';
import { AgentControlService } from './agent-control.service';
import { AgentMessageHandler } from './agent-message.handler';

type UpgradeDecision =
  { ok: true; deviceId: string } | { ok: false; status: number; code: string; message: string };

const PING_INTERVAL_MS = 30_000;
/** The first frame must be `hello`, within this time. */
const HELLO_TIMEOUT_MS = 10_000;

/**
 * The control channel endpoint, WebSocket `/api/agent/ws` (docs/protocol.md § 2). Plain `ws` in
 * noServer mode on the Nest HTTP server's `upgrade` event, so the device credential is checked
 * **before** the upgrade (HTTP 401/410/426 otherwise) — see docs/adr/0002-agent-control-channel.md.
 */
@Injectable()
export class AgentControlGateway implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AgentControlGateway.name);
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: CONTROL_MAX_PAYLOAD,
    perMessageDeflate: false,
    clientTracking: false,
  });
  private server: Server | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private sessionEnded: Subscription | undefined;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (pathOf(req) !== AGENT_CONTROL_PATH) return;
    socket.on('error', (err) => this.logger.debug(`control upgrade socket error: ${err.message}`));
    this.authenticate(req)
      .then((result) => {
        if (!result.ok) return refuse(socket, result.status, result.code, result.message);
        this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, result.deviceId));
      })
      .catch((err: unknown) => {
        this.logger.error(
          `control channel upgrade failed: ${err instanceof Error ? err.message : 'unknown error'}`,
        );
        refuse(socket, 503, 'unavailable', 'The portal could not check the device right now.');
      });
  };

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly devices: DevicesService,
    private readonly control: AgentControlService,
    private readonly handler: AgentMessageHandler,
    private readonly quickSupportEvents: QuickSupportEvents,
    private readonly presence: DevicePresence,
  ) {}

  onApplicationBootstrap(): void {
    this.server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.server.on('upgrade', this.onUpgrade);
    this.pingTimer = setInterval(() => this.pingAll(), PING_INTERVAL_MS);
    this.pingTimer.unref();
    // Ending a quick-support session tells its agent to remove itself (Flow 6).
    this.sessionEnded = this.quickSupportEvents.stream.subscribe((event) => {
      if (event.type !== 'session.ended') return;
      for (const deviceId of event.deviceIds) {
        this.control
          .endSession(deviceId, `The support session ended (${event.reason}).`)
          .catch((err: unknown) => {
            this.logger.warn(
              `Could not tell device ${deviceId} that its session ended: ${err instanceof Error ? err.message : 'unknown error'}`,
            );
          });
      }
    });
  }

  /** Portal shutdown: agents get 1001 and reconnect (with backoff) to the next portal. */
  onModuleDestroy(): void {
    this.server?.off('upgrade', this.onUpgrade);
    clearInterval(this.pingTimer);
    this.sessionEnded?.unsubscribe();
    for (const c of this.control.all()) c.ws.close(ControlCloseCode.PortalShuttingDown, 'portal restarting');
    for (const c of this.control.all()) setTimeout(() => c.ws.terminate(), 1000).unref();
    this.wss.close();
  }

  /** The device the upgrade authenticates, or the HTTP refusal. */
  private async authenticate(req: IncomingMessage): Promise<UpgradeDecision> {
    const version = req.headers[AGENT_PROTOCOL_HEADER];
    if (typeof version === 'string' && !isCompatibleProtocolVersion(version)) {
      return {
        ok: false,
        status: 426,
        code: 'protocol_mismatch',
        message: `The portal speaks agent protocol ${PROTOCOL_VERSION}.`,
      };
    }
    const bearer = parseDeviceBearer(req.headers.authorization);
    if (!bearer)
      return { ok: false, status: 401, code: 'unauthenticated', message: 'A device credential is required.' };
    const device = await this.devices.verifyCredential(bearer.deviceId, bearer.credential);
    if (!device)
      return {
        ok: false,
        status: 401,
        code: 'unauthenticated',
        message: 'The device credential was not accepted.',
      };
    if (device.revokedAt)
      return {
        ok: false,
        status: 410,
        code: 'gone',
        message: 'This device was removed or its support session ended.',
      };
    return { ok: true, deviceId: device.id };
  }

  private accept(ws: WebSocket, deviceId: string): void {
    const connection = new AgentConnection(deviceId, ws);
    const helloTimer = setTimeout(() => {
      if (!connection.hello) ws.close(ControlCloseCode.BadMessage, 'expected hello');
    }, HELLO_TIMEOUT_MS);
    ws.on('pong', () => {
      connection.alive = true;
    });
    ws.on('message', (data, isBinary) => {
      const wasGreeted = connection.hello !== undefined;
      this.handler.handle(connection, isBinary ? null : (data as Buffer).toString('utf8'));
      if (!wasGreeted && connection.hello) {
        clearTimeout(helloTimer);
        this.control.attach(connection);
        void this.devices
          .markOnline(deviceId)
          .catch((err: unknown) => this.logger.warn(`markOnline failed: ${String(err)}`));
        this.control.publish({ type: 'agent.connected', deviceId, hello: connection.hello });
      }
    });
    ws.on('error', (err) => this.logger.debug(`control channel error for ${deviceId}: ${err.message}`));
    ws.on('close', (code) => {
      clearTimeout(helloTimer);
      if (this.control.detach(connection, code)) {
        this.presence.setKillSwitch(deviceId, null);
        void this.devices
          .markOffline(deviceId)
          .catch((err: unknown) => this.logger.warn(`markOffline failed: ${String(err)}`));
      }
    });
  }

  private pingAll(): void {
    for (const c of this.control.all()) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** Answers a refused upgrade with a small JSON error `{ code, message }` and closes the socket. */
function refuse(socket: Duplex, status: number, code: string, message: string): void {
  writeUpgradeRefusal(socket, status, { code, message });
}
