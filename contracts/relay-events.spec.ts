import {
  RelayMessageError,
  isSafeCloseReason,
  parseRelayCloseRequest,
  parseRelayEventBatch,
} from './relay-events';

const paired = {
  id: 'f47ac10b-58cc-4372-a567-0e02b2c3d479',
  type: 'paired',
  sessionId: 'session-1',
  channel: 'screen',
  at: '2025-01-01T00:00:00.000Z',
};
const closed = {
  ...paired,
  id: '9b2f3c4d-1e2f-4a5b-8c6d-7e8f9a0b1c2d',
  type: 'closed',
  paired: true,
  closeCode: 4013,
  reason: 'peer_left',
  initiator: 'agent',
  bytesAgentToTech: 10,
  bytesTechToAgent: 0,
  durationMs: 1500,
};

describe('relay event messages', () => {
  it('parses a valid batch', () => {
    expect(parseRelayEventBatch({ events: [paired, closed] })).toEqual([paired, closed]);
  });

  it.each([
    ['no events array', {}],
    ['an empty batch', { events: [] }],
    ['too many events', { events: Array.from({ length: 101 }, () => paired) }],
    ['a non-UUID id', { events: [{ ...paired, id: '1' }] }],
    ['an unknown type', { events: [{ ...paired, type: 'opened' }] }],
    ['a bad session id', { events: [{ ...paired, sessionId: 'a b' }] }],
    ['a bad channel', { events: [{ ...paired, channel: 'SCREEN' }] }],
    ['a bad time', { events: [{ ...paired, at: 'soon' }] }],
    ['a negative counter', { events: [{ ...closed, bytesAgentToTech: -1 }] }],
    ['a bad close code', { events: [{ ...closed, closeCode: 99 }] }],
    ['a reason with markup', { events: [{ ...closed, reason: '<b>' }] }],
    ['an unknown initiator', { events: [{ ...closed, initiator: 'someone' }] }],
  ])('rejects %s', (_name, body) => {
    expect(() => parseRelayEventBatch(body)).toThrow(RelayMessageError);
  });

  it('drops unknown properties', () => {
    const [event] = parseRelayEventBatch({ events: [{ ...paired, extra: 'x' }] });
    expect(event).not.toHaveProperty('extra');
  });
});

describe('relay close requests', () => {
  const request = { id: paired.id, sessionId: 'session-1', reason: 'Ended by the technician' };

  it('parses a valid request with or without a channel', () => {
    expect(parseRelayCloseRequest(request)).toEqual(request);
    expect(parseRelayCloseRequest({ ...request, channel: 'shell' })).toEqual({
      ...request,
      channel: 'shell',
    });
  });

  it.each([
    ['a missing id', { ...request, id: undefined }],
    ['a bad session', { ...request, sessionId: '' }],
    ['a bad channel', { ...request, channel: 'a/b' }],
    ['a reason with a line break', { ...request, reason: 'ok\r\nX-Injected: 1' }],
    ['a reason that is too long', { ...request, reason: 'x'.repeat(101) }],
    ['an array', [request]],
  ])('rejects %s', (_name, body) => {
    expect(() => parseRelayCloseRequest(body)).toThrow(RelayMessageError);
  });

  it('bounds close reasons by characters and bytes', () => {
    expect(isSafeCloseReason('Ended')).toBe(true);
    expect(isSafeCloseReason('é'.repeat(61))).toBe(true);
    expect(isSafeCloseReason('€'.repeat(42))).toBe(false);
    expect(isSafeCloseReason('\u0007')).toBe(false);
  });
});
