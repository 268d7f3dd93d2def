/**
 * Chat between a quick-support session's technician and its customer (`/api/support-chat/…` for the
 * technician, `/support/connect/:token/chat` for the customer, and the agent's console over the
 * control channel). Pure: the portal, the dashboard and the connect page's tests import it.
 *
 * Every `body` is untrusted text from a person: render it as text only (Angular interpolation,
 * `textContent`), and strip terminal escapes before printing it in a console.
 */

/** Who wrote a message. `customer` covers the connect page, its older one-way notes and the agent's console. */
export const CHAT_SENDERS = ['technician', 'customer'] as const;
export type ChatSender = (typeof CHAT_SENDERS)[number];

/** Where a customer message was written. */
export const CHAT_ORIGINS = ['connect_page', 'note', 'agent_console', 'dashboard'] as const;
export type ChatOrigin = (typeof CHAT_ORIGINS)[number];

export const CHAT_LIMITS = {
  /** Longest message, in characters, after normalising. */
  bodyMax: 1000,
  /** Most chat messages one session keeps (both sides together; the older notes have their own cap). */
  perSession: 500,
  /** Most messages one read returns. */
  pageMax: 200,
} as const;

/** One chat message as both sides read it. */
export interface ChatMessageView {
  id: string;
  sessionId: string;
  sender: ChatSender;
  origin: ChatOrigin;
  /** The technician's display name for their messages; null for the customer's. */
  author: string | null;
  /** Untrusted text (normalised: no control characters but line feeds, at most {@link CHAT_LIMITS.bodyMax}). */
  body: string;
  createdAt: string;
}

/** `GET …/chat?after=<id>`: the messages after `after` (or the first ones), oldest first. */
export interface ChatMessageListView {
  items: ChatMessageView[];
  /** More messages follow: ask again with the last item's id. */
  more: boolean;
  /** The session still takes messages (not ended, not expired). */
  open: boolean;
}

/** `POST …/chat`. */
export interface SendChatMessageRequest {
  body: string;
}

/** The dashboard's live event (`chat.message` on `/api/quick-support/events`). */
export interface ChatMessageEventData {
  sessionId: string;
  message: ChatMessageView;
}

/**
 * Characters a chat message may not hold: C0/C1 controls but tab and line feed, line/paragraph
 * separators, bidirectional overrides and isolates, invisible formatting (as contracts/display-text.ts).
 */
const FORBIDDEN =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/gu;

export type ChatBodyProblem = 'empty' | 'too_long' | 'not_text';

/**
 * A message as it is stored: CR LF and CR become LF, tabs spaces, forbidden characters are stripped,
 * more than two blank lines collapse, the ends are trimmed. Then it must be non-empty and at most
 * {@link CHAT_LIMITS.bodyMax} characters (counted after normalising, in code points).
 */
export function normaliseChatBody(raw: unknown): { body: string } | { problem: ChatBodyProblem } {
  if (typeof raw !== 'string') return { problem: 'not_text' };
  // A first bound before any work on the string (a megabyte of spaces is not a message).
  if (raw.length > CHAT_LIMITS.bodyMax * 4) return { problem: 'too_long' };
  const body = raw
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    .replace(FORBIDDEN, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (body === '') return { problem: 'empty' };
  if ([...body].length > CHAT_LIMITS.bodyMax) return { problem: 'too_long' };
  return { body };
}

export const CHAT_BODY_PROBLEM_TEXT: Readonly<Record<ChatBodyProblem, string>> = {
  empty: 'Write a message before sending it.',
  too_long: `A message can be at most ${CHAT_LIMITS.bodyMax} characters long.`,
  not_text: 'body must be a string.',
};
