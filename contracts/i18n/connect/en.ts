/**
 * The connect page's words in English: the reference catalogue. Every other language has exactly these
 * keys with the same `{placeholders}` (contracts/i18n/connect/catalogues.spec.ts). Placeholders are
 * filled with escaped text or markup by the page's renderer; a catalogue text itself is plain text.
 */
export const en = {
  'page.title': '{org} remote support',
  'brand.logoAlt': '{brand} logo',
  'headline.open': '{org} remote support — a technician will assist you shortly',
  'headline.connected': '{org} remote support — your computer is connected',
  'headline.closed': '{org} remote support',
  'language.label': 'Language',

  'status.label': 'Status:',
  'status.waiting': 'Waiting',
  'status.active': 'Connected',
  'status.ended': 'Ended',
  'status.explain.waiting': 'Download and run the support tool below. This page updates by itself.',
  'status.explain.active': 'Your computer is connected. Your technician can now help you.',
  'status.explain.ended':
    'This support session is over, so nobody can connect to your computer through it any more. You can close this page. If you still need help, ask {org} for a new link.',
  'status.technician': 'Your technician:',
  'status.device': 'Connected computer:',

  'who.heading': 'Who will connect to your computer',
  'who.named': '{name} from {org}',
  'who.anyone': 'A technician from {org}',
  'who.connects': '{who} will connect to help you.',
  'who.canDo': 'Once you run the support tool, they will be able to:',
  'ability.screen': 'see your screen',
  'ability.control': 'control your mouse and keyboard',
  'ability.terminal': 'open a terminal (a window for typing commands) on your computer',
  'ability.commands': 'run commands on your computer',
  'ability.files': 'see your files and copy files to and from your computer',
  'who.askFirst':
    'Your computer will ask you first, each time: nothing happens until you allow it there. You can stop it at any time.',
  'who.scam': 'Only continue if you contacted {org} yourself. {org} will never call you out of the blue.',

  'downloads.heading': 'Get the support tool',
  'downloads.osGroup': 'Your computer’s operating system',
  'downloads.osHint': 'Choose your computer’s operating system.',
  'downloads.link': 'Download {file}',
  'downloads.steps.windows':
    'Press the Windows key and R together, paste the command, then press Ctrl+Shift+Enter so it runs as administrator, and answer Yes.',
  'downloads.steps.macos':
    'Open Terminal (Applications › Utilities › Terminal), paste the command and press Return. Type your Mac password when asked; it is not shown as you type.',
  'downloads.steps.linux':
    'Open a terminal, paste the command and press Enter. Type your password when sudo asks for it.',
  'downloads.otherFolder':
    'If your browser saved the file in another folder or under another name, change the path in the command to match.',
  'downloads.copy': 'Copy',
  'downloads.copied': 'Copied',
  'downloads.alreadyConnected':
    'This support session already has a connected computer. Go back to the support page.',

  'phone.heading': 'Open this link on the computer that needs help',
  'phone.explain':
    'The support tool runs on a Windows, Mac or Linux computer. It cannot be installed on a phone or tablet.',
  'phone.email': 'To get the link onto your computer, you can e-mail it to yourself:',
  'phone.emailLink': 'E-mail this link to myself',
  'phone.mailSubject': 'Link for {org} remote support',
  'phone.mailBody': 'Open this link on the computer that needs help: {url}',
  'phone.computer': 'Are you on a computer after all? Choose its operating system:',

  'notes.heading': 'Messages with your technician',
  'notes.label': 'Describe the problem or anything your technician should know.',
  'notes.send': 'Send',
  'chat.list': 'Messages',
  'chat.empty': 'No messages yet. Your technician’s answers appear here.',
  'chat.you': 'You',
  'chat.technician': 'Your technician',
  'chat.full':
    'No more messages can be sent in this session: it holds as many as it can. If you still need help, your technician can start a new session.',
  'notes.sent': 'Your message was sent to the technician.',
  'notes.failed': 'The message could not be sent.',
  'notes.offline': 'The message could not be sent. Check your connection.',
  'notes.empty': 'Write a message before sending it.',
  'notes.tooLong': 'A message can be at most {max} characters long.',
  'notes.invalid': 'The message could not be read. Please type it again.',
  'notes.rate': 'You have sent many messages in a short time. Please wait a few minutes.',

  'ended.heading': 'This support session has ended',
  'ended.text':
    'Your technician has closed this session. The support tool is no longer connected and removes itself from your computer. You can close this page.',
  'expired.heading': 'This support link has expired',
  'expired.text':
    'Support links only work for a limited time, and this one has run out. Nothing can be downloaded or connected through it any more.',
  'invalid.heading': 'This support link does not work',
  'invalid.text':
    'The link may be incomplete: check that you opened the whole link from the message you received.',
  'closed.next': 'If you still need help, contact {org} and ask for a new link.',
  'rate.heading': 'Please wait a moment',
  'rate.text': 'There were too many requests from your network. Try again in {seconds} seconds.',
} as const;

export type ConnectKey = keyof typeof en;
/** A complete catalogue: every key, nothing else (the compiler checks each language against English). */
export type ConnectCatalogue = Readonly<Record<ConnectKey, string>>;
