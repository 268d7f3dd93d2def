import {
  PLAIN_SHELL_SINCE,
  PROTOCOL_VERSION,
  REMOTE_HELP_SINCE,
  isCompatibleProtocolVersion,
  protocolAtLeast,
} from './version';

describe('agent protocol versions', () => {
  it('knows which peers may be asked for remote help', () => {
    expect(protocolAtLeast(PROTOCOL_VERSION, REMOTE_HELP_SINCE)).toBe(true);
    expect(protocolAtLeast('1.0', REMOTE_HELP_SINCE)).toBe(false);
    expect(protocolAtLeast('1.12', REMOTE_HELP_SINCE)).toBe(true);
    expect(protocolAtLeast('2.1', REMOTE_HELP_SINCE)).toBe(false);
    expect(protocolAtLeast('x', REMOTE_HELP_SINCE)).toBe(false);
  });

  it('asks for a plain shell only from 1.3 agents on', () => {
    expect(protocolAtLeast(PROTOCOL_VERSION, PLAIN_SHELL_SINCE)).toBe(true);
    expect(protocolAtLeast('1.2', PLAIN_SHELL_SINCE)).toBe(false);
  });

  it('treats equal majors as compatible', () => {
    expect(isCompatibleProtocolVersion(PROTOCOL_VERSION)).toBe(true);
    expect(isCompatibleProtocolVersion(`${PROTOCOL_VERSION.split('.')[0]}.99`)).toBe(true);
    expect(isCompatibleProtocolVersion('99.0')).toBe(false);
    expect(isCompatibleProtocolVersion('1')).toBe(false);
  });
});
