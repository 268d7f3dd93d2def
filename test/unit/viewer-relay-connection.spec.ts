import { RELAY_CLOSE_CODES, RelayCloseCode } from '../../contracts/relay-close-codes';
import { keysymsFor } from '../../client/src/app/viewer/keysyms';
import * as viewer from '../../client/src/app/viewer/relay-connection';

describe('explainRelayClose', () => {
  const expiresAt = Date.parse('2026-01-01T10:10:00Z');
  const before = expiresAt - 60_000;
  const after = expiresAt + 1_000;

  it('gives every close code of the contract its sentence', () => {
    for (const { code, message } of RELAY_CLOSE_CODES.filter((c) => c.code >= 4000)) {
      expect(viewer.explainRelayClose({ code, opened: true }, expiresAt, before).message).toBe(message);
    }
  });

  it('explains a refused upgrade (a browser sees 1006) by the tokens’ expiry when they have expired', () => {
    expect(viewer.explainRelayClose({ code: 1006, opened: false }, expiresAt, after)).toEqual({
      message: 'The access token has expired. Reconnect from the portal.',
      sessionOver: false,
    });
    expect(viewer.explainRelayClose({ code: 1006, opened: false }, expiresAt, before).message).toMatch(
      /refused the connection or could not be reached/,
    );
  });

  it('says the session is over only for closes that end it', () => {
    const over = (code: number): boolean =>
      viewer.explainRelayClose({ code, opened: true }, expiresAt, before).sessionOver;
    for (const code of [
      RelayCloseCode.SessionEnded,
      RelayCloseCode.PairTimeout,
      RelayCloseCode.SessionTtl,
      RelayCloseCode.ClosedByPortal,
      RelayCloseCode.EndedByTechnician,
      RelayCloseCode.EndedOnDevice,
    ]) {
      expect(over(code)).toBe(true);
    }
    for (const code of [
      RelayCloseCode.PeerLeft,
      RelayCloseCode.NoVncServer,
      RelayCloseCode.DuplicateSide,
      1006,
    ]) {
      expect(over(code)).toBe(false);
    }
  });
});

describe('keysymsFor', () => {
  it('types Latin-1 as itself, other characters as Unicode keysyms, and Enter and Tab as keys', () => {
    expect(keysymsFor('Az 9~')).toEqual([0x41, 0x7a, 0x20, 0x39, 0x7e]);
    expect(keysymsFor('é€')).toEqual([0xe9, 0x010020ac]);
    expect(keysymsFor('a\r\nb\tc')).toEqual([0x61, 0xff0d, 0x62, 0xff09, 0x63]);
    expect(keysymsFor('\u0007\u001b')).toEqual([]);
  });
});
