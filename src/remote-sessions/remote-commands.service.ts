import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Observable, filter, firstValueFrom, timeout } from 'rxjs';
import { RecordingStoreError } from '../../contracts/node/recording-store';
import { AgentControlError } from '../agent-control/agent-control.errors';
import { AgentControlService, CommandEvent } from '../agent-control/agent-control.service';
import { AuditService } from '../audit/audit.service';
import type { AuditActorType } from '../audit/entities/audit-event.entity';
import type { AuthUser } from '../common/auth-user';
import { CommandRecorder } from '../recordings/command-recorder';
import { COMMAND_MAX_LENGTH, type RunCommandDto } from './dto/remote-command.dto';
import type { RemoteSession } from './entities/remote-session.entity';
import { ConsentContexts } from './consent-context';
import { RemoteSessionQueries } from './remote-session.queries';
import { remoteSessionErrors as errors } from './remote-sessions.errors';

interface Running {
  sessionId: string;
  deviceId: string;
  output: Observable<CommandEvent>;
  startedAt: number;
  /** The agent reported its exit (it stays tracked for replay). */
  exited: boolean;
}

/** Who a row after the fact names: the technician, or whoever ended the session (EndActor). */
interface RowActor {
  actorType: AuditActorType;
  actorId?: string | null;
}

/** Commands kept for replay per portal; the oldest finished ones are dropped first. */
const MAX_TRACKED = 200;
const RETAIN_MS = 15 * 60 * 1000;
/** How long an ended session's recording waits for its cancelled commands' exits before it closes. */
const EXIT_WAIT_MS = 5_000;

/**
 * The viewer's Commands tab: run a command line on the device over the control channel, stream its
 * output, cancel it. Output is replayed from the start to a late subscriber (a reconnecting viewer).
 * Who may do each (the session's technician or an admin) is the route's rule (src/access); here a
 * command is only ever reached through the session it ran in, and it does not outlive that session:
 * when the session ends, for any reason, whatever still runs in it is cancelled on the device.
 */
@Injectable()
export class RemoteCommandsService {
  private readonly logger = new Logger(RemoteCommandsService.name);
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly queries: RemoteSessionQueries,
    private readonly agents: AgentControlService,
    private readonly audit: AuditService,
    private readonly prompts: ConsentContexts,
    private readonly recorder: CommandRecorder,
  ) {}

  /**
   * Fails closed: the command's audit row (its text, the session, device and technician) is committed
   * before the device is asked; when the trail refuses it, the answer is 503 `audit_unavailable` and
   * nothing is sent. Refusal and exit follow as best-effort rows.
   */
  async run(actor: AuthUser, sessionId: string, dto: RunCommandDto): Promise<{ commandId: string }> {
    const session = await this.openSession(sessionId);
    if (!this.agents.isConnected(session.deviceId)) throw errors.deviceOffline();
    // A recorded session records its commands' output (src/recordings/command-recorder.ts); when the
    // recording must be made and cannot be opened, nothing is sent.
    let recorded: string | null;
    try {
      recorded = await this.recorder.open(session);
    } catch (err) {
      if (err instanceof RecordingStoreError) throw errors.recordingFailed();
      throw err;
    }
    const commandId = randomUUID();
    const about = { commandId, deviceId: session.deviceId, technicianId: actor.id };
    await this.audit.recordOrRefuse({
      actorType: 'user',
      actorId: actor.id,
      action: 'remote_session.command_run',
      targetType: 'remote_session',
      targetId: sessionId,
      details: {
        ...about,
        command: dto.command.slice(0, COMMAND_MAX_LENGTH),
        ...(dto.timeoutSec && { timeoutSec: dto.timeoutSec }),
      },
    });
    let started;
    try {
      // The person at the device is asked before the first command of a session (protocol 1.2).
      const consent = await this.prompts.for(session, actor);
      started = await this.agents.runCommand(session.deviceId, {
        commandId,
        command: dto.command,
        ...(dto.timeoutSec && { timeoutSec: dto.timeoutSec }),
        ...(consent && { sessionId, consent }),
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : 'the command could not be started';
      await this.followUp(userActor(actor), sessionId, 'remote_session.command_refused', {
        ...about,
        message: message.slice(0, 500),
      });
      if (err instanceof AgentControlError && err.agentCode === 'consent_denied')
        throw errors.consentDenied(message);
      throw errors.agentRefused(message);
    }
    this.prune();
    const running: Running = {
      sessionId,
      deviceId: session.deviceId,
      output: started.output,
      startedAt: Date.now(),
      exited: false,
    };
    this.running.set(started.commandId, running);
    if (recorded) this.recorder.commandLine(sessionId, dto.command);
    started.output.subscribe({
      next: (event) => {
        if (event.type === 'command_output') {
          if (recorded) this.recorder.output(sessionId, event.data);
          return;
        }
        if (recorded) this.recorder.exit(sessionId, event.exitCode, event.signal);
        running.exited = true;
        void this.followUp(userActor(actor), sessionId, 'remote_session.command_exited', {
          ...about,
          exitCode: event.exitCode,
          signal: event.signal,
          timedOut: event.timedOut,
          cancelled: event.cancelled,
          durationMs: event.durationMs,
        });
      },
    });
    this.logger.log(`Command ${started.commandId} started in remote session ${sessionId}`);
    // The session may have ended while the device was starting it (after the check above), in which
    // case the end's cancel did not see this command yet: stop it now.
    if ((await this.queries.findRow(sessionId))?.status === 'ended') {
      await this.stop(started.commandId, running, { actorType: 'system' });
      throw errors.ended();
    }
    return { commandId: started.commandId };
  }

  output(sessionId: string, commandId: string): Observable<CommandEvent> {
    return this.tracked(sessionId, commandId).output;
  }

  /** Stopping a command is never held up by the audit trail: its row follows through the outbox. */
  async cancel(actor: AuthUser, sessionId: string, commandId: string): Promise<void> {
    const cmd = this.tracked(sessionId, commandId);
    try {
      await this.agents.cancelCommand(cmd.deviceId, commandId);
    } catch (err) {
      throw errors.agentRefused(err instanceof Error ? err.message : 'the command could not be cancelled');
    }
    await this.followUp(userActor(actor), sessionId, 'remote_session.command_cancelled', {
      commandId,
      deviceId: cmd.deviceId,
      technicianId: actor.id,
    });
  }

  /**
   * The session ended: every command still running in it is cancelled on the device (a safety action,
   * like ending: each cancel is recorded after the fact, through the outbox if the trail refuses it,
   * naming whoever ended the session). Never throws; an agent that cannot be told is logged.
   */
  async cancelForSession(sessionId: string, actor: RowActor): Promise<void> {
    const inSession = [...this.running].filter(([, cmd]) => cmd.sessionId === sessionId && !cmd.exited);
    await Promise.all(inSession.map(([commandId, cmd]) => this.stop(commandId, cmd, actor)));
    void this.finishRecording(
      sessionId,
      inSession.map(([, cmd]) => cmd),
    );
  }

  /** The session's commands recording closes once its cancelled commands exited (or a few seconds passed). */
  private async finishRecording(sessionId: string, stopped: Running[]): Promise<void> {
    await Promise.all(
      stopped.map((cmd) =>
        firstValueFrom(
          cmd.output.pipe(
            filter((e) => e.type === 'command_exit'),
            timeout(EXIT_WAIT_MS),
          ),
          { defaultValue: null },
        ).catch(() => null),
      ),
    );
    await this.recorder
      .finish(sessionId)
      .catch((err: unknown) =>
        this.logger.error(`Could not finish the commands recording of ${sessionId}: ${String(err)}`),
      );
  }

  private async stop(commandId: string, cmd: Running, actor: RowActor): Promise<void> {
    try {
      await this.agents.cancelCommand(cmd.deviceId, commandId);
    } catch (err) {
      this.logger.warn(
        `Command ${commandId} of ended session ${cmd.sessionId} could not be cancelled: ${err instanceof Error ? err.message : String(err)}`,
      );
      return;
    }
    this.logger.log(`Command ${commandId} cancelled: remote session ${cmd.sessionId} ended`);
    await this.followUp(actor, cmd.sessionId, 'remote_session.command_cancelled', {
      commandId,
      deviceId: cmd.deviceId,
      sessionEnded: true,
    });
  }

  /** A row after the fact: never fails the request (the outbox keeps it when the trail refuses it). */
  private async followUp(
    actor: RowActor,
    sessionId: string,
    action: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.audit
      .recordOrDefer({
        actorType: actor.actorType,
        actorId: actor.actorId ?? null,
        action,
        targetType: 'remote_session',
        targetId: sessionId,
        details,
      })
      .catch((err: unknown) =>
        this.logger.error(
          `Could not record ${action} for command ${String(details.commandId)}: ${err instanceof Error ? err.message : String(err)}`,
        ),
      );
  }

  private tracked(sessionId: string, commandId: string): Running {
    const cmd = this.running.get(commandId);
    if (!cmd || cmd.sessionId !== sessionId) {
      throw errors.commandNotFound();
    }
    return cmd;
  }

  private async openSession(id: string): Promise<RemoteSession> {
    const session = await this.queries.findRow(id);
    if (!session) throw errors.notFound();
    if (session.status === 'ended') throw errors.ended();
    return session;
  }

  private prune(): void {
    const cutoff = Date.now() - RETAIN_MS;
    for (const [id, cmd] of this.running) if (cmd.startedAt < cutoff) this.running.delete(id);
    while (this.running.size >= MAX_TRACKED) {
      const oldest = this.running.keys().next().value;
      if (oldest === undefined) break;
      this.running.delete(oldest);
    }
  }
}

function userActor(user: AuthUser): RowActor {
  return { actorType: 'user', actorId: user.id };
}
