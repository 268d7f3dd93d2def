import { FILE_AUDIT_ACTIONS, type AuditEventView } from '../../../../contracts/api/audit';
import { END_REASON_LABELS } from '../remote-sessions/remote-sessions.model';

/**
 * One audit line in words. Everything but the action comes from the line (untrusted): the result is
 * only ever shown as text. An action this table does not know is shown by its name.
 */
export function auditSentence(e: AuditEventView): string {
  const d = e.details;
  const text = (key: string): string | null => {
    const v = d[key];
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
  };
  const who = actorName(e);
  const channel = channelLabel(text('channel'));
  switch (e.action) {
    case 'remote_session.started': {
      const type = text('type');
      return `${who} started a ${(text('protocol') ?? 'remote').toUpperCase()} session${type ? ` (${type})` : ''}`;
    }
    case 'remote_session.reconnected': {
      const channels = Array.isArray(d['channels']) ? d['channels'] : [];
      return channels.length === 1 && typeof channels[0] === 'string'
        ? `${who} reconnected ${channelLabel(channels[0])}`
        : `${who} reconnected to the device`;
    }
    case 'remote_session.command_run':
      return `${who} ran a command: ${text('command') ?? ''}`;
    case 'remote_session.command_exited':
      if (d['timedOut'] === true) return 'The command was stopped: it ran out of time';
      if (d['cancelled'] === true) return 'The command was cancelled';
      return `The command finished with exit code ${text('exitCode') ?? text('signal') ?? 'unknown'}`;
    case 'remote_session.command_refused':
      return `The device refused the command${text('message') ? `: ${text('message')}` : ''}`;
    case 'remote_session.command_cancelled':
      return d['sessionEnded'] === true
        ? 'A running command was cancelled: the session ended'
        : `${who} cancelled a command`;
    case 'remote_session.ended': {
      const reason = text('reason');
      const label =
        reason && reason in END_REASON_LABELS
          ? END_REASON_LABELS[reason as keyof typeof END_REASON_LABELS]
          : reason;
      return `Session ended${label ? ` — ${label}` : ''}`;
    }
    case 'remote_session.consent':
      return consentSentence(text('event'), channel, text('mode'), text('policy'));
    case 'remote_session.consent_requested':
      return `The technician asked the customer again for ${channel}`;
    case 'remote_session.mode_changed':
      return `The screen was switched to ${text('mode') === 'view_only' ? 'view only' : (text('mode') ?? 'another mode')}`;
    case FILE_AUDIT_ACTIONS.opened:
      return `${who} opened file transfer`;
    case FILE_AUDIT_ACTIONS.download:
    case FILE_AUDIT_ACTIONS.upload:
    case FILE_AUDIT_ACTIONS.mkdir:
    case FILE_AUDIT_ACTIONS.rename:
    case FILE_AUDIT_ACTIONS.delete:
      return fileSentence(e.action, text);
    case 'quick_assist.start_requested':
      return `${who} asked the device to open Quick Assist`;
    case 'quick_assist.started':
      return `Quick Assist was opened on the device`;
    case 'quick_assist.start_refused':
      return `The device could not open Quick Assist${text('message') ? `: ${text('message')}` : ''}`;
    case 'quick_assist.stopped':
      return `${who} closed Quick Assist`;
    case 'quick_assist.stop_refused':
      return `Quick Assist could not be closed${text('message') ? `: ${text('message')}` : ''}`;
    case 'quick_assist.install_requested':
      return `${who} asked the device to install Quick Assist`;
    case 'quick_assist.install_started':
      return 'Quick Assist is being installed on the device';
    case 'quick_assist.install_refused':
      return `Quick Assist could not be installed${text('message') ? `: ${text('message')}` : ''}`;
    case 'device.registered':
      return 'The device registered with the portal';
    case 'device.online':
      return 'The device came online';
    case 'device.offline':
      return 'The device went offline';
    case 'device.access_granted':
      return `${who} granted a technician access to the device`;
    case 'device.access_revoked':
      return `${who} withdrew a technician’s access to the device`;
    case 'support_session.created':
      return `${who} created a quick-support session`;
    case 'support_session.assigned':
      return `${who} assigned a quick-support session`;
    case 'support_session.activated':
      return 'The customer’s device joined the quick-support session';
    case 'support_session.note_added':
      return 'The customer wrote a note';
    case 'support_session.ended':
      return `Quick-support session ended${text('reason') ? ` (${text('reason')})` : ''}`;
    case 'installer_token.minted':
      return `${who} downloaded or created an installer (${text('os') ?? 'unknown system'})`;
    case 'user.created':
      return `${who} created a user account`;
    case 'user.updated':
      return `${who} changed a user account`;
    case 'user.disabled':
      return `${who} disabled a user account`;
    case 'user.removed':
      return `${who} removed a user account`;
    case 'user.first_admin_created':
      return 'The portal created its first administrator';
    default:
      return e.action;
  }
}

/** Who acted, in words: a technician's name, else the kind of actor. */
export function actorName(e: AuditEventView): string {
  switch (e.actor.type) {
    case 'user':
      return e.actor.displayName ?? 'A removed user';
    case 'agent':
      return 'The device';
    case 'customer':
      return 'The customer';
    case 'relay':
      return 'The relay';
    case 'system':
      return 'The portal';
  }
}

function channelLabel(channel: string | null): string {
  switch (channel ?? '') {
    case 'screen':
      return 'the screen';
    case 'input':
    case 'control':
      return 'mouse and keyboard control';
    case 'shell':
      return 'a terminal';
    case 'commands':
      return 'running commands';
    case 'files':
      return 'file transfer';
    default:
      return channel ? `“${channel}”` : 'a channel';
  }
}

function consentSentence(
  event: string | null,
  channel: string,
  mode: string | null,
  policy: string | null,
): string {
  const viewOnly = mode === 'view_only' ? ' (view only)' : '';
  switch (event ?? '') {
    case 'asked':
      return `The customer was asked to allow ${channel}`;
    case 'allowed':
      return `The customer allowed ${channel}${viewOnly}`;
    case 'allowed_view_only':
      return `The customer allowed ${channel} (view only)`;
    case 'denied':
      return `The customer denied ${channel}`;
    case 'timed_out':
      return `Nobody answered in time: ${channel} denied`;
    case 'revoked':
      return `The customer took back ${channel}`;
    case 'ended_locally':
      return 'The customer ended the session on the device';
    case 'unavailable':
      return `The device could not ask anyone: ${channel} denied`;
    case 'mode_changed':
      return mode === 'view_only'
        ? 'The customer switched the screen to view only'
        : 'The customer gave back control of the screen';
    case 'not_asked':
      return `${channel[0]?.toUpperCase() ?? ''}${channel.slice(1)} opened without a question${policy ? ` (the device’s policy: ${policy})` : ''}`;
    default:
      return `Consent for ${channel}: ${event ?? 'unknown'}${viewOnly}`;
  }
}

/** A `remote_session.file_*` line (reported by the device): what was done to which path, and how it ended. */
function fileSentence(action: string, text: (key: string) => string | null): string {
  const path = text('path') ?? 'a path';
  const zip = text('zip') === 'true';
  const bytes = text('bytes');
  const size = bytes !== null && /^\d+$/.test(bytes) ? ` (${formatBytes(Number(bytes))})` : '';
  const [what, done] = ((): [string, string] => {
    switch (action) {
      case FILE_AUDIT_ACTIONS.download:
        return [
          zip ? 'Folder download (zip)' : 'Download',
          zip ? `Downloaded the folder ${path} as a zip` : `Downloaded ${path}`,
        ];
      case FILE_AUDIT_ACTIONS.upload:
        return ['Upload', `Uploaded ${path}`];
      case FILE_AUDIT_ACTIONS.mkdir:
        return ['New folder', `Created the folder ${path}`];
      case FILE_AUDIT_ACTIONS.rename:
        return ['Rename', `Renamed ${path} to ${text('to') ?? 'another name'}`];
      default:
        return ['Delete', `Deleted ${path}`];
    }
  })();
  switch (text('result') ?? 'unknown') {
    case 'ok':
      return `${done}${size}${text('sha256') ? ', verified' : ''}`;
    case 'cancelled':
      return `${what} cancelled: ${path}${size}`;
    default:
      return `${what} failed: ${path}${text('error') ? ` (${text('error')})` : ''}`;
  }
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
