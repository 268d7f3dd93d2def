import type {
  AgentToPortalMessage,
  RemoteHelpStartMessage,
  RemoteHelpStatusMessage,
  RemoteHelpStopMessage,
  WingetInstallMessage,
} from '../../../contracts/agent-protocol/control-messages';
import type { AgentOs, ProtocolErrorCode } from '../../../contracts/agent-protocol/enums';
import type { ActionGate, MutatingAction } from '../core/action-gate';
import { safe, type AgentLogger } from '../core/logger';
import {
  NOT_ALLOWED_APP_MESSAGE,
  NOT_ALLOWED_PACKAGE_MESSAGE,
  allowedApp,
  allowedPackage,
} from './launch-allow-list';
import { NOT_AVAILABLE, RemoteHelpError, type RemoteHelpBackend } from './remote-help-backend';
import { nodeProcessHost } from './process-host';
import { windowsSystemRoot } from './windows-launch';
import { WindowsRemoteHelp } from './windows-remote-help';

export type RemoteHelpRequest =
  RemoteHelpStatusMessage | RemoteHelpStartMessage | RemoteHelpStopMessage | WingetInstallMessage;

export const REMOTE_HELP_MESSAGE_TYPES: readonly RemoteHelpRequest['type'][] = [
  'remotehelp_status',
  'remotehelp_start',
  'remotehelp_stop',
  'winget_install',
];

export const QUICK_ASSIST_START_NOTE =
  "Quick Assist is open on the customer's desktop. Now, between people: in your own Quick Assist choose Help someone, sign in with your Microsoft account and read the 6-digit security code to the customer; they type it, press Submit and click Allow.";
export const QUICK_ASSIST_ALREADY_OPEN_NOTE =
  "Quick Assist was already open on the customer's desktop. In your own Quick Assist choose Help someone, sign in with your Microsoft account and read the 6-digit security code to the customer; they type it, press Submit and click Allow.";

const OS_LABELS: Record<AgentOs, string> = { windows: 'Windows', macos: 'macOS', linux: 'Linux' };

export interface RemoteHelpHandlerOptions {
  os: AgentOs;
  /** Null where remote help does not exist (off Windows): status says "not available", the rest `unsupported`. */
  backend: RemoteHelpBackend | null;
  gate: ActionGate;
  logger: AgentLogger;
}

type Refusal = Extract<AgentToPortalMessage, { type: 'error' }>;

/**
 * Answers the remote-help requests (docs/protocol.md § Remote help). The order of checks is the
 * contract: the allow-list first (a request for anything else is refused on every OS, whatever the
 * switch), then the OS, then the action gate (kill switch, consent) for everything but the read-only
 * status, then the backend.
 */
export class RemoteHelpHandler {
  constructor(private readonly options: RemoteHelpHandlerOptions) {}

  async handle(message: RemoteHelpRequest): Promise<AgentToPortalMessage> {
    try {
      return await this.answer(message);
    } catch (err) {
      if (err instanceof RemoteHelpError) return this.refuse(message.id, err.code, err.message);
      this.options.logger.warn(`${message.type} failed: ${safe(err)}`);
      return this.refuse(message.id, 'internal', 'The agent could not complete the remote-help request.');
    }
  }

  private async answer(message: RemoteHelpRequest): Promise<AgentToPortalMessage> {
    switch (message.type) {
      case 'remotehelp_status': {
        const readiness = this.options.backend ? await this.options.backend.status() : NOT_AVAILABLE;
        return { type: 'remotehelp_state', replyTo: message.id, ...readiness };
      }
      case 'remotehelp_start': {
        const app = allowedApp(message.executable);
        if (!app) return this.refuse(message.id, 'not_allowed', NOT_ALLOWED_APP_MESSAGE);
        const admitted = await this.admit(message.id, 'launch');
        if ('type' in admitted) return admitted;
        const outcome = await admitted.start(app);
        this.options.logger.info(
          `${app.label} ${outcome.launched ? 'opened' : 'was already open'} (pid ${String(outcome.pid)})`,
        );
        const note = outcome.launched ? QUICK_ASSIST_START_NOTE : QUICK_ASSIST_ALREADY_OPEN_NOTE;
        return {
          type: 'remotehelp_started',
          replyTo: message.id,
          launched: outcome.launched,
          pid: outcome.pid,
          note,
        };
      }
      case 'remotehelp_stop': {
        const app = allowedApp(message.executable);
        if (!app) return this.refuse(message.id, 'not_allowed', NOT_ALLOWED_APP_MESSAGE);
        const admitted = await this.admit(message.id, 'end_app');
        if ('type' in admitted) return admitted;
        const stopped = await admitted.stop(app);
        this.options.logger.info(stopped ? `${app.label} ended` : `${app.label} was not running`);
        return { type: 'remotehelp_stopped', replyTo: message.id, stopped };
      }
      case 'winget_install': {
        const pkg = allowedPackage(message.packageId);
        if (!pkg) return this.refuse(message.id, 'not_allowed', NOT_ALLOWED_PACKAGE_MESSAGE);
        const admitted = await this.admit(message.id, 'install');
        if ('type' in admitted) return admitted;
        const pid = await admitted.install(pkg);
        this.options.logger.info(`winget is installing ${pkg.label} (${pkg.id})`);
        const note = `winget is installing ${pkg.label} from the Microsoft Store on the customer's desktop, where a window shows its progress. Check readiness again in a minute.`;
        return { type: 'winget_install_started', replyTo: message.id, packageId: pkg.id, pid, note };
      }
    }
  }

  /** The OS check, then the gate: the backend to act with, or the refusal to send. */
  private async admit(id: string, action: MutatingAction): Promise<RemoteHelpBackend | Refusal> {
    const { backend } = this.options;
    if (!backend)
      return this.refuse(
        id,
        'unsupported',
        `Quick Assist is a Windows feature; this device runs ${OS_LABELS[this.options.os]}.`,
      );
    const decision = await this.options.gate.check({ action });
    return decision.allowed ? backend : this.refuse(id, decision.code, decision.message);
  }

  private refuse(replyTo: string, code: ProtocolErrorCode, message: string): Refusal {
    return { type: 'error', replyTo, code, message };
  }
}

/** The real backend for this OS: Windows gets Quick Assist, every other OS none. */
export function defaultRemoteHelpBackend(
  os: AgentOs,
  logger: AgentLogger,
  env: NodeJS.ProcessEnv = process.env,
): RemoteHelpBackend | null {
  if (os !== 'windows') return null;
  return new WindowsRemoteHelp(nodeProcessHost(), {
    systemRoot: windowsSystemRoot(env),
    localAppData: env.LOCALAPPDATA,
    logger,
  });
}
