/**
 * What the agent says to the person at the computer, in English: the reference catalogue. Every other
 * language has exactly these keys with the same `{placeholders}` (console-text.spec.ts). Values filled
 * in are already cleaned to one printable line (consent-text.ts); each medium escapes for itself.
 */
export const en = {
  'who.anyone': 'A technician',
  'who.defaultOrganisation': 'your support provider',
  'who.from': '{technician} from {organisation}',

  'question.sentence': '{technician} from {organisation} wants to {wish}.',
  'question.reason': 'Reason they gave: "{reason}".',
  'question.title': '{organisation}: remote support request',
  'question.denyHint': '{deny} if you did not ask for this help yourself.',
  'question.closed': 'The question about {channel} is closed.',
  'question.press': 'Press {keys} (N in {seconds} s).',
  'wish.screen': 'see your screen and use your mouse and keyboard',
  'wish.shell': 'open a terminal on this computer',
  'wish.commands': 'run commands on this computer',
  'channel.screen': 'your screen',
  'channel.shell': 'a terminal',
  'channel.commands': 'commands',

  'answer.allow': 'Allow once',
  'answer.allow_session': 'Allow for this session',
  'answer.view_only': 'View only',
  'answer.deny': 'Deny',
  'button.allow': '_Allow once',
  'button.allow_session': 'Allow for this _session',
  'button.view_only': '_View only',
  'button.deny': '_Deny',
  'answerKey.allow': 'Y to allow once',
  'answerKey.allow_session': 'A to allow for this session',
  'answerKey.view_only': 'V for view only',
  'answerKey.deny': 'N to deny',
  'confirm.allow': 'Allowed this once.',
  'confirm.allow_session': 'Allowed for the rest of this session.',
  'confirm.view_only': 'Allowed to view only: no mouse, keyboard or clipboard.',
  'confirm.deny': 'Denied.',
  'confirm.timeout': 'No answer in time: denied.',

  'capability.view': 'see your screen',
  'capability.control': 'control your mouse and keyboard',
  'capability.terminal': 'use a terminal',
  'capability.commands': 'run commands',
  'capability.files': 'transfer files',
  'list.last': '{list} and {last}',
  'elapsed.none': 'less than a minute',
  'elapsed.one': '1 minute',
  'elapsed.minutes': '{minutes} minutes',
  'elapsed.hours': '{hours} h {minutes} min',
  'indicator.can': '{who} can {what} (for {elapsed}).',
  'indicator.title': 'Remote support is active',

  'status.connecting': 'Connecting to the support portal…',
  'status.reconnecting': 'Connection lost; reconnecting…',
  'status.ending': 'Ending the session and removing the support agent…',
  'status.waiting': 'Connected. Waiting for a technician.',
  'status.killSwitchOn': 'Remote control is switched off on this computer.',
  'status.killSwitchOnKey':
    'Connected. Remote control is switched OFF on this computer: press K to allow it again, Ctrl-C to end the session.',
  'status.technicianNamed': 'Technician {name}',
  'status.connected': '{who} is connected ({what}).',
  'status.end': 'Press Ctrl-C to end the session.',
  'status.keys': 'Press K to switch remote control off, Ctrl-C to end the session.',
  'statusChannel.screen': 'your screen',
  'statusChannel.shell': 'a terminal',
  'statusChannel.commands': 'commands',
  'status.press': 'Press {keys}.',
  'key.viewOnly': 'V for view only',
  'key.allowControl': 'V to allow control',
  'key.stopScreen': 'S to stop sharing the screen',
  'key.closeTerminal': 'T to close the terminal',
  'key.stopCommands': 'R to stop running commands',
  'key.killSwitch': 'K to switch remote control off',
  'key.end': 'Ctrl-C to end the session',
} as const;

export type AgentKey = keyof typeof en;
/** A complete catalogue: every key, nothing else (the compiler checks each language against English). */
export type AgentCatalogue = Readonly<Record<AgentKey, string>>;
