import type { RemoteSessionView } from '../../contracts/api/remote-sessions';
import { REMOTE_SESSION_CSV_HEADER, remoteSessionCsvRecord } from './remote-session-csv';

const session: RemoteSessionView = {
  id: 's1',
  deviceId: 'd1',
  deviceName: '=cmd|"/c calc"!A1',
  deviceOs: 'windows',
  kind: 'quick',
  customerName: 'Ada, "the customer"',
  technicianId: 'u1',
  technician: '@tech',
  type: 'attended',
  protocol: 'web',
  reason: 'printer\r\nbroken',
  recordingEnabled: false,
  status: 'ended',
  channels: ['screen'],
  channelStates: [],
  startedAt: '2026-01-01T10:00:00.000Z',
  connectedAt: null,
  endedAt: '2026-01-01T10:05:00.000Z',
  endReason: 'ended_on_device',
  durationSec: 300,
};

describe('remote-session history CSV', () => {
  it('names its columns in the header', () => {
    expect(REMOTE_SESSION_CSV_HEADER).toBe(
      'id,started_at,connected_at,ended_at,duration_sec,end_reason,customer_name,device_id,device_name,device_os,device_kind,technician_id,technician_name,type,protocol,reason,recording_enabled\r\n',
    );
  });

  it('quotes and defuses the untrusted names and reason', () => {
    expect(remoteSessionCsvRecord(session)).toBe(
      's1,2026-01-01T10:00:00.000Z,,2026-01-01T10:05:00.000Z,300,ended_on_device,"Ada, ""the customer""",d1,"\'=cmd|""/c calc""!A1",windows,quick,u1,\'@tech,attended,web,"printer\r\nbroken",false\r\n',
    );
  });
});
