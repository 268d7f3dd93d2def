import { parsePortalMessage, requestIdOf } from '../../../contracts/agent-protocol/control-message-parser';
import type { AgentToPortalMessage } from '../../../contracts/agent-protocol/control-messages';
import type { ActionGate } from '../core/action-gate';
import type { CommandRunner } from '../core/command-runner';
import { safe } from '../core/logger';
import { ChannelLifecycle, type ActiveChannel, type ChannelContext } from './channel';

/**
 * The commands channel: the viewer talks to the agent directly through the relay with the control
 * channel's command messages (run_command, cancel_command → command_started, command_output,
 * command_exit, ack, error). Every run passes the gate; closing the channel cancels its commands.
 */
export function openCommandsChannel(
  ctx: ChannelContext,
  runner: CommandRunner,
  gate: ActionGate,
): ActiveChannel {
  const { ws, logger } = ctx;
  const mine = new Set<string>();
  const lifecycle = new ChannelLifecycle(ws, () => {
    for (const id of mine) runner.cancel(id);
  });
  const send = (message: AgentToPortalMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    if (message.type === 'command_exit') mine.delete(message.commandId);
  };
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const text = data.toString('utf8');
    const parsed = isBinary ? undefined : parsePortalMessage(text);
    if (!parsed?.ok) {
      const replyTo = requestIdOf(text);
      send({
        type: 'error',
        ...(replyTo && { replyTo }),
        code: 'bad_message',
        message: parsed ? safe(parsed.error, 500) : 'Binary frames are not accepted here.',
      });
      return;
    }
    const message = parsed.value;
    if (message.type === 'run_command') {
      // The person at the device allowed this channel (commands): that covers the commands sent in it.
      const request = {
        action: 'run_command',
        sessionId: ctx.ref.sessionId,
        coveredByChannel: true,
      } as const;
      void gate.check(request).then((decision) => {
        if (!decision.allowed)
          return send({ type: 'error', replyTo: message.id, code: decision.code, message: decision.message });
        const started = runner.start(message, send);
        if (!started.ok)
          return send({ type: 'error', replyTo: message.id, code: started.code, message: started.message });
        mine.add(message.commandId);
        send({ type: 'command_started', replyTo: message.id, commandId: message.commandId });
      });
    } else if (message.type === 'cancel_command') {
      if (mine.has(message.commandId) && runner.cancel(message.commandId))
        send({ type: 'ack', replyTo: message.id });
      else
        send({
          type: 'error',
          replyTo: message.id,
          code: 'not_found',
          message: 'No such command is running.',
        });
    } else {
      logger.debug(`commands channel ignored ${message.type}`);
      if ('id' in message)
        send({
          type: 'error',
          replyTo: message.id,
          code: 'unsupported',
          message: 'Not available on this channel.',
        });
    }
  });
  return {
    ref: ctx.ref,
    ended: lifecycle.ended,
    socketClosed: lifecycle.socketClosed,
    close: (code, reason) => lifecycle.close(code, reason),
  };
}
