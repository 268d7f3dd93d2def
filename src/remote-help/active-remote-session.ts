import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** PostgreSQL's "undefined_table": the remote-sessions migration has not run on this database. */
const UNDEFINED_TABLE = '42P01';

/**
 * The remote session a Quick Assist action belongs to: the device's newest session that has not ended.
 * A read-only look at `remote_sessions` (the way remote sessions' own queries join `devices`), kept in
 * this one class so it can be swapped for a RemoteSessionsService call without touching the rest.
 */
@Injectable()
export class ActiveRemoteSession {
  private readonly logger = new Logger(ActiveRemoteSession.name);

  constructor(private readonly dataSource: DataSource) {}

  async forDevice(deviceId: string): Promise<string | null> {
    try {
      const rows: Array<{ id: string }> = await this.dataSource.query(
        `SELECT id FROM remote_sessions WHERE device_id = $1 AND status <> 'ended' ORDER BY started_at DESC LIMIT 1`,
        [deviceId],
      );
      return rows[0]?.id ?? null;
    } catch (err) {
      // Without the session the action is still recorded on the device; it must not fail because of this.
      const code = (err as { code?: unknown }).code;
      if (code === UNDEFINED_TABLE)
        this.logger.debug('remote_sessions does not exist yet; recording on the device only');
      else
        this.logger.warn(
          `Could not look up the open remote session of ${deviceId}: ${err instanceof Error ? err.message : 'unknown error'}`,
        );
      return null;
    }
  }
}
