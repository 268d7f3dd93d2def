import { Injectable, Logger } from '@nestjs/common';
import { ControlCloseCode } from '../../contracts/agent-protocol/connection';
import { parseAgentMessage, requestIdOf } from '../../contracts/agent-protocol/control-message-parser';
import type { AgentToPortalMessage } from '../../contracts/agent-protocol/control-messages';
import { DEFAULT_HEARTBEAT_SEC } from '../../contracts/agent-protocol/limits';
import { PROTOCOL_VERSION, isCompatibleProtocolVersion } from '../../contracts/agent-protocol/version';
import { safeLogValue } from '../common/log-redaction';
import { DevicePresence } from '../devices/device-presence';
import { DevicesService } from '../devices/devices.service';
import { QuickSupportService } from '../quick-support/quick-support.service';
import type { AgentConnection } from './agent-connection';
import { AgentControlService } from './agent-control.service';

/** Heartbeats update `last_seen_at` at most this often per device. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Every frame an agent sends, validated with contracts/agent-protocol/control-message-parser.ts before anything reads it.
 * Protocol requests (`hello`, `heartbeat`) are answered here; responses settle the portal's pending
 * requests; events go to {@link AgentControlService.events}.
 */
@Injectable()
export class AgentMessageHandler {
  private readonly logger = new Logger(AgentMessageHandler.name);

  constructor(
    private readonly control: AgentControlService,
    private readonly devices: DevicesService,
    private readonly quickSupport: QuickSupportService,
    private readonly presence: DevicePresence,
  ) {}

  handle(connection: AgentConnection, text: string | null): void {
    const parsed =
      text === null
        ? ({ ok: false, error: 'binary frames are not part of the protocol' } as const)
        : parseAgentMessage(text);
    if (!parsed.ok) {
      this.logger.warn(
        `Device ${connection.deviceId} sent a malformed message: ${safeLogValue(parsed.error)}`,
      );
      const replyTo = text === null ? undefined : requestIdOf(text);
      connection.send({
        type: 'error',
        ...(replyTo && { replyTo }),
        code: 'bad_message',
        message: safeLogValue(parsed.error, 500),
      });
      return;
    }
    const message = parsed.value;
    if (!connection.hello && message.type !== 'hello') {
      connection.ws.close(ControlCloseCode.BadMessage, 'expected hello');
      return;
    }
    this.dispatch(connection, message);
  }

  private dispatch(connection: AgentConnection, message: AgentToPortalMessage): void {
    switch (message.type) {
      case 'hello':
        if (!isCompatibleProtocolVersion(message.protocolVersion)) {
          connection.send({
            type: 'error',
            replyTo: message.id,
            code: 'unsupported_version',
            message: `The portal speaks protocol ${PROTOCOL_VERSION}.`,
          });
          connection.ws.close(ControlCloseCode.UnsupportedVersion, 'unsupported protocol version');
          return;
        }
        connection.hello = message;
        connection.killSwitch = message.killSwitch;
        this.presence.setKillSwitch(connection.deviceId, message.killSwitch);
        connection.send({
          type: 'hello_ack',
          replyTo: message.id,
          protocolVersion: PROTOCOL_VERSION,
          heartbeatSec: DEFAULT_HEARTBEAT_SEC,
          serverTime: new Date().toISOString(),
        });
        return;
      case 'heartbeat':
        connection.send({ type: 'heartbeat_ack', replyTo: message.id });
        this.touch(connection);
        return;
      case 'agent_status':
        connection.killSwitch = message.killSwitch;
        if (this.presence.setKillSwitch(connection.deviceId, message.killSwitch))
          this.killSwitchChanged(connection.deviceId, message.killSwitch);
        if (!connection.settle(message))
          this.control.publish({ type: 'agent.message', deviceId: connection.deviceId, message });
        return;
      case 'goodbye':
        this.logger.log(`Device ${connection.deviceId} said goodbye (${message.reason})`);
        this.control.publish({ type: 'agent.message', deviceId: connection.deviceId, message });
        if (connection.hello?.mode === 'quick') this.agentLeft(connection.deviceId);
        return;
      case 'channel_closed':
      case 'error':
        if (!connection.settle(message))
          this.control.publish({ type: 'agent.message', deviceId: connection.deviceId, message });
        return;
      case 'command_output':
      case 'command_exit':
      case 'consent':
      case 'chat_reply':
      case 'file_activity':
        this.control.publish({ type: 'agent.message', deviceId: connection.deviceId, message });
        return;
      case 'channel_opened':
      case 'command_started':
      case 'ack':
      case 'remotehelp_state':
      case 'remotehelp_started':
      case 'remotehelp_stopped':
      case 'winget_install_started':
        if (!connection.settle(message))
          this.logger.debug(`Device ${connection.deviceId} answered an unknown request`);
        return;
    }
  }

  /** The dashboard shows the switch on the device: tell it (device.updated) when it flips. */
  private killSwitchChanged(deviceId: string, on: boolean): void {
    this.logger.log(`Device ${deviceId} kill switch ${on ? 'on' : 'off'}`);
    this.devices.publishUpdated([deviceId]).catch((err: unknown) => {
      this.logger.warn(
        `Could not publish the kill switch of ${deviceId}: ${err instanceof Error ? err.message : 'unknown error'}`,
      );
    });
  }

  /** A quick-support agent that leaves for good ends its support session (idempotent). */
  private agentLeft(deviceId: string): void {
    this.quickSupport.endForDevice(deviceId, 'agent_left').catch((err: unknown) => {
      this.logger.warn(
        `Could not end the session of device ${deviceId}: ${err instanceof Error ? err.message : 'unknown error'}`,
      );
    });
  }

  private touch(connection: AgentConnection): void {
    const now = Date.now();
    if (now - connection.lastTouchedAt < TOUCH_EVERY_MS) return;
    connection.lastTouchedAt = now;
    this.devices.touch(connection.deviceId).catch((err: unknown) => {
      this.logger.warn(
        `Could not record a heartbeat of ${connection.deviceId}: ${err instanceof Error ? err.message : 'unknown error'}`,
      );
    });
  }
}
