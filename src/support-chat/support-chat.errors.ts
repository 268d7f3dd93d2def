import { CHAT_LIMITS } from '../../contracts/api/chat';
import { DomainError, ErrorCode } from '../common/domain-error';

export const supportChatErrors = {
  sessionNotFound: () => new DomainError(ErrorCode.NotFound, 'There is no such support session.'),
  /** A technician (or the agent) writes to a session that has ended or expired. */
  sessionClosed: () =>
    new DomainError(
      ErrorCode.SessionClosed,
      'This support session has ended: its chat can be read but takes no new messages.',
    ),
  /** The customer's link: unknown, ended and expired answer alike. */
  linkInactive: () =>
    new DomainError(
      ErrorCode.LinkInactive,
      'This support link is not active, so messages cannot be sent or read.',
    ),
  chatFull: () =>
    new DomainError(
      ErrorCode.ChatLimitReached,
      `This session already holds ${CHAT_LIMITS.perSession} chat messages, the most it keeps. Start a new session to go on writing.`,
    ),
  invalidBody: (problem: string) => new DomainError(ErrorCode.ValidationFailed, problem),
  unknownAfter: () =>
    new DomainError(ErrorCode.ValidationFailed, 'after must be the id of a message of this session.'),
  notQuickSupport: () =>
    new DomainError(
      ErrorCode.NotFound,
      'This remote session’s device did not come from a quick-support link, so it has no chat.',
    ),
};
