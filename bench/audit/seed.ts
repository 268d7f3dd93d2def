import type { DataSource } from 'typeorm';

/** How much the benchmark writes (BENCH_AUDIT_ROWS overrides the line count). */
export const SEED = {
  technicians: 50,
  devices: 2000,
  sessions: 50_000,
} as const;

/**
 * A year of a busy help desk: technicians, devices, remote sessions and `rows` audit lines shaped like
 * the portal's own (remote-session lines with their device in `details`, the end without one, Quick
 * Assist written on the device and on the session, device presence, support sessions, users). All in
 * SQL, so seeding a million lines takes seconds, not minutes.
 */
export async function seed(ds: DataSource, rows: number): Promise<void> {
  await ds.query(
    `INSERT INTO users (email, display_name, password_hash, role)
     SELECT 'tech' || g || '@bench.test', 'Technician ' || g, 'not-a-hash', 'technician'
       FROM generate_series(1, $1) g`,
    [SEED.technicians],
  );
  await ds.query(
    `INSERT INTO devices (kind, hostname, os, os_version, arch, agent_version, protocol_version, credential_hash)
     SELECT 'persistent', 'host-' || g, 'linux', '12', 'x64', '0.1.0', '1.0', repeat('0', 64)
       FROM generate_series(1, $1) g`,
    [SEED.devices],
  );
  await ds.query(`
    CREATE TEMP TABLE bench_techs AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM users WHERE role = 'technician';
    CREATE TEMP TABLE bench_devices AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM devices;`);
  await ds.query(
    `INSERT INTO remote_sessions (device_id, technician_id, type, protocol, status, channels, relay_url, started_at, ended_at, end_reason)
     SELECT d.id, t.id, 'attended', 'vnc', 'ended', '{screen}', 'ws://127.0.0.1/ws',
            now() - interval '365 days' + g * interval '10 minutes', now() - interval '365 days' + g * interval '10 minutes' + interval '5 minutes', 'technician'
       FROM generate_series(1, $1) g
       JOIN bench_devices d ON d.n = g % $2
       JOIN bench_techs t ON t.n = g % $3`,
    [SEED.sessions, SEED.devices, SEED.technicians],
  );
  await ds.query(
    `CREATE TEMP TABLE bench_sessions AS
     SELECT row_number() OVER (ORDER BY started_at) - 1 AS n, id, device_id, technician_id FROM remote_sessions`,
  );
  await ds.query(`CREATE INDEX ON bench_sessions (n)`);
  const sessionLines = Math.round(rows * 0.8);
  const deviceLines = Math.round(rows * 0.1);
  const otherLines = rows - sessionLines - deviceLines;
  // Lines spread evenly over the past year, oldest first (ids follow time, as in the real trail).
  const at = (total: string): string =>
    `now() - interval '365 days' + (g::float8 / ${total}) * interval '365 days'`;
  await ds.query(
    `INSERT INTO audit_events (at, actor_type, actor_id, action, target_type, target_id, details)
     SELECT ${at('$1')},
            CASE WHEN g % 10 IN (4, 5) THEN 'agent' ELSE 'user' END,
            CASE WHEN g % 10 IN (4, 5) THEN s.device_id::text ELSE s.technician_id::text END,
            (ARRAY['remote_session.started', 'remote_session.command_run', 'remote_session.command_exited',
                   'remote_session.reconnected', 'remote_session.consent', 'remote_session.consent',
                   'remote_session.command_run', 'quick_assist.started', 'quick_assist.started',
                   'remote_session.ended'])[1 + g % 10],
            CASE WHEN g % 10 = 8 THEN 'device' ELSE 'remote_session' END,
            CASE WHEN g % 10 = 8 THEN s.device_id::text ELSE s.id::text END,
            CASE WHEN g % 10 = 9 THEN jsonb_build_object('reason', 'technician')
                 WHEN g % 10 = 8 THEN jsonb_build_object('remoteSessionId', s.id)
                 WHEN g % 10 IN (1, 6) THEN jsonb_build_object('deviceId', s.device_id, 'command', 'uptime #' || g)
                 WHEN g % 10 IN (4, 5) THEN jsonb_build_object('deviceId', s.device_id, 'channel', 'screen', 'event', 'allowed')
                 ELSE jsonb_build_object('deviceId', s.device_id) END
       FROM generate_series(1, $1) g
       JOIN bench_sessions s ON s.n = (g / 10) % $2`,
    [sessionLines, SEED.sessions],
  );
  await ds.query(
    `INSERT INTO audit_events (at, actor_type, actor_id, action, target_type, target_id, details)
     SELECT ${at('$1')}, 'agent', d.id::text, CASE WHEN g % 2 = 0 THEN 'device.online' ELSE 'device.offline' END,
            'device', d.id::text, '{}'::jsonb
       FROM generate_series(1, $1) g JOIN bench_devices d ON d.n = g % $2`,
    [deviceLines, SEED.devices],
  );
  await ds.query(
    `INSERT INTO audit_events (at, actor_type, actor_id, action, target_type, target_id, details)
     SELECT ${at('$1')}, 'user', t.id::text,
            (ARRAY['support_session.created', 'support_session.ended', 'installer_token.minted', 'user.updated'])[1 + g % 4],
            'support_session', gen_random_uuid()::text, '{}'::jsonb
       FROM generate_series(1, $1) g JOIN bench_techs t ON t.n = g % $2`,
    [otherLines, SEED.technicians],
  );
  await ds.query(`ANALYZE`);
}
