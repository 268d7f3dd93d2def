/*
 * What a closed relay connection means in words, for the viewer.
 *
 * The close-code table is imported from the shared contract (contracts/relay-close-codes.ts), and the
 * connect URL and sub-protocols from contracts/relay-connect.ts (see relay-socket.ts), so the relay,
 * the agent and the viewer cannot drift apart. Plain TypeScript without Angular, so a unit test can
 * import it.
 */
import { describeCloseCode, RelayCloseCode } from '../../../../contracts/relay-close-codes';

/** How a relay WebSocket ended, as the viewer saw it. */
export interface RelayClose {
  code: number;
  /** Whether the upgrade had succeeded. A refused upgrade looks like 1006 to a browser. */
  opened: boolean;
}

export interface RelayCloseExplanation {
  /** A sentence for the technician. */
  message: string;
  /** The remote session is over: reconnecting cannot help. */
  sessionOver: boolean;
}

/** Codes after which the session itself is over (the portal ended it, or it ran out of time). */
const SESSION_OVER: ReadonlySet<number> = new Set([
  RelayCloseCode.SessionEnded,
  RelayCloseCode.PairTimeout,
  RelayCloseCode.SessionTtl,
  RelayCloseCode.ClosedByPortal,
  RelayCloseCode.EndedByTechnician,
  RelayCloseCode.EndedOnDevice,
  RelayCloseCode.RecordingFailed,
]);

/**
 * What a closed relay connection means, in words. A browser never learns why an upgrade was refused
 * (it sees 1006), so a connection that never opened is explained by what the viewer knows: tokens
 * past their expiry were refused for that; otherwise the relay refused them or could not be reached.
 */
export function explainRelayClose(
  close: RelayClose,
  tokensExpireAt: number,
  now: number,
): RelayCloseExplanation {
  if (
    !close.opened &&
    (close.code === RelayCloseCode.ConnectionLost || close.code === RelayCloseCode.Normal)
  ) {
    if (now >= tokensExpireAt) {
      return { message: describeCloseCode(RelayCloseCode.TokenExpired).message, sessionOver: false };
    }
    return {
      message:
        'The relay refused the connection or could not be reached. Reconnect to try again with fresh access.',
      sessionOver: false,
    };
  }
  return { message: describeCloseCode(close.code).message, sessionOver: SESSION_OVER.has(close.code) };
}
