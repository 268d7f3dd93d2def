import type { DataSource, EntityManager } from 'typeorm';
import { AgentControlError } from '../agent-control/agent-control.errors';
import type { AgentControlService, AgentPresence } from '../agent-control/agent-control.service';
import type { AuditEntry, AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/auth-user';
import { DomainError, ErrorCode } from '../common/domain-error';
import type { DevicesService } from '../devices/devices.service';
import type { Device } from '../devices/entities/device.entity';
import type { RemoteSessionsService } from '../remote-sessions/remote-sessions.service';
import { remoteHelpError } from './remote-help.errors';
import { RemoteHelpService } from './remote-help.service';

const DEVICE = '3f1c2a4e-8b7d-4c3e-9a21-5d6f7e8a9b0c';
const SESSION = '9b2e6c1d-0f3a-4d5b-8e7f-1a2b3c4d5e6f';
const TECH: AuthUser = {
  id: '11111111-2222-4333-8444-555555555555',
  email: 'alex@example.test',
  displayName: 'Alex',
  role: 'technician',
};

function setup(
  options: {
    protocolVersion?: string;
    online?: boolean;
    remoteSessionId?: string | null;
    revoked?: boolean;
  } = {},
) {
  const device = { id: DEVICE, os: 'windows', revokedAt: options.revoked ? new Date() : null } as Device;
  const presence: AgentPresence | undefined =
    options.online === false
      ? undefined
      : {
          deviceId: DEVICE,
          connectedAt: new Date(),
          agentVersion: '0.1.0',
          protocolVersion: options.protocolVersion ?? '1.1',
          mode: 'quick',
          capabilities: [],
          killSwitch: false,
        };
  const agents = {
    presence: jest.fn(() => presence),
    remoteHelpStart: jest.fn(() =>
      Promise.resolve({
        type: 'remotehelp_started',
        replyTo: 'p1',
        launched: true,
        pid: 7412,
        note: 'Steps.',
      }),
    ),
    remoteHelpStop: jest.fn(() =>
      Promise.resolve({ type: 'remotehelp_stopped', replyTo: 'p2', stopped: true }),
    ),
  };
  const recorded: AuditEntry[] = [];
  const keep = (entry: AuditEntry) => Promise.resolve(void recorded.push(entry));
  const audit = { recordOrRefuse: jest.fn(keep), recordOrDefer: jest.fn(keep) };
  const dataSource = {
    transaction: jest.fn((work: (m: EntityManager) => Promise<void>) => work({} as EntityManager)),
  };
  const service = new RemoteHelpService(
    { findById: jest.fn(() => Promise.resolve(device)) } as unknown as DevicesService,
    agents as unknown as AgentControlService,
    audit as unknown as AuditService,
    {
      latestOpenIdForDevice: jest.fn(() => Promise.resolve(options.remoteSessionId ?? null)),
    } as unknown as RemoteSessionsService,
    dataSource as unknown as DataSource,
  );
  return { service, agents, recorded, dataSource, audit };
}

describe('RemoteHelpService', () => {
  it('attaches a start to the open remote session: requested before the device is asked, then started, each on the device and the session together', async () => {
    const { service, recorded, dataSource, agents } = setup({ remoteSessionId: SESSION });
    agents.remoteHelpStart.mockImplementationOnce(() => {
      expect(recorded.map((e) => e.action)).toEqual([
        'quick_assist.start_requested',
        'quick_assist.start_requested',
      ]);
      return Promise.resolve({
        type: 'remotehelp_started',
        replyTo: 'p1',
        launched: true,
        pid: 7412,
        note: 'Steps.',
      });
    });
    await expect(service.start(TECH, DEVICE)).resolves.toEqual({
      launched: true,
      pid: 7412,
      note: 'Steps.',
      remoteSessionId: SESSION,
    });
    expect(dataSource.transaction).toHaveBeenCalledTimes(2);
    expect(recorded.slice(2)).toEqual([
      {
        actorType: 'user',
        actorId: TECH.id,
        action: 'quick_assist.started',
        targetType: 'device',
        targetId: DEVICE,
        details: { launched: true, pid: 7412, remoteSessionId: SESSION },
      },
      {
        actorType: 'user',
        actorId: TECH.id,
        action: 'quick_assist.started',
        targetType: 'remote_session',
        targetId: SESSION,
        details: { launched: true, pid: 7412, deviceId: DEVICE },
      },
    ]);
  });

  it('records a refusal with its code, on the device only when no session is open', async () => {
    const { service, agents, recorded } = setup();
    agents.remoteHelpStop.mockRejectedValueOnce(
      new AgentControlError('kill_switch', 'Switched off by the customer.'),
    );
    await expect(service.stop(TECH, DEVICE)).rejects.toMatchObject({
      code: ErrorCode.KillSwitchOn,
      status: 409,
      message: 'Switched off by the customer.',
    });
    expect(recorded).toEqual([
      expect.objectContaining({
        action: 'quick_assist.stop_refused',
        targetType: 'device',
        details: { code: 'kill_switch_on', message: 'Switched off by the customer.', remoteSessionId: null },
      }),
    ]);
  });

  it('asks the device nothing when the requested row cannot be written (503 audit_unavailable)', async () => {
    const { service, agents, audit } = setup();
    audit.recordOrRefuse.mockRejectedValueOnce(new DomainError(ErrorCode.AuditUnavailable, 'No trail.'));
    await expect(service.start(TECH, DEVICE)).rejects.toMatchObject({
      code: ErrorCode.AuditUnavailable,
      status: 503,
    });
    expect(agents.remoteHelpStart).not.toHaveBeenCalled();
    expect(audit.recordOrDefer).not.toHaveBeenCalled();
  });

  it('stops Quick Assist without waiting on the trail: no requested row, the stop row is best effort', async () => {
    const { service, agents, audit, recorded } = setup();
    await expect(service.stop(TECH, DEVICE)).resolves.toEqual({ stopped: true, remoteSessionId: null });
    expect(agents.remoteHelpStop).toHaveBeenCalled();
    expect(audit.recordOrRefuse).not.toHaveBeenCalled();
    expect(recorded.map((e) => e.action)).toEqual(['quick_assist.stopped']);
  });

  it('refuses offline devices and agents older than protocol 1.1 without asking them, and audits it', async () => {
    const offline = setup({ online: false });
    await expect(offline.service.start(TECH, DEVICE)).rejects.toMatchObject({
      code: ErrorCode.DeviceOffline,
    });
    expect(offline.agents.remoteHelpStart).not.toHaveBeenCalled();
    expect(offline.recorded.map((e) => e.action)).toEqual(['quick_assist.start_refused']);

    const old = setup({ protocolVersion: '1.0' });
    await expect(old.service.start(TECH, DEVICE)).rejects.toMatchObject({
      code: ErrorCode.AgentOutdated,
      status: 409,
    });
    await expect(old.service.status(DEVICE)).rejects.toMatchObject({ code: ErrorCode.AgentOutdated });
    expect(old.agents.remoteHelpStart).not.toHaveBeenCalled();

    const gone = setup({ revoked: true });
    await expect(gone.service.status(DEVICE)).rejects.toMatchObject({ code: ErrorCode.Gone });
  });
});

describe('remoteHelpError', () => {
  it.each([
    ['offline', ErrorCode.DeviceOffline],
    ['timeout', ErrorCode.Unavailable],
    ['unsupported', ErrorCode.UnsupportedOs],
    ['kill_switch', ErrorCode.KillSwitchOn],
    ['consent_denied', ErrorCode.Forbidden],
    ['no_interactive_session', ErrorCode.NoInteractiveSession],
    ['not_allowed', ErrorCode.NotAllowed],
    ['not_found', ErrorCode.QuickAssistNotInstalled],
    ['bad_message', ErrorCode.AgentOutdated],
    ['internal', ErrorCode.AgentRefused],
  ] as const)('maps the agent’s %s to %s', (agentCode, code) => {
    const mapped = remoteHelpError(new AgentControlError(agentCode, 'Words from the device.'));
    expect(mapped).toBeInstanceOf(DomainError);
    expect((mapped as DomainError).code).toBe(code);
  });

  it('leaves other errors alone', () => {
    const other = new Error('bug');
    expect(remoteHelpError(other)).toBe(other);
  });
});
