import { QuickSupport1763710000000 } from '../../migrations/1763710000000-QuickSupport';
import { withMigrationsUpTo } from '../support/migrations';

describe('QuickSupport migration', () => {
  it('goes up, down and up again cleanly on a real PostgreSQL', async () => {
    await withMigrationsUpTo(QuickSupport1763710000000, async (ds) => {
      const tables = async (): Promise<string[]> =>
        (
          await ds.query<{ table_name: string }[]>(
            `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN
           ('support_sessions', 'support_session_notes', 'devices', 'installer_tokens') ORDER BY table_name`,
          )
        ).map((r) => r.table_name);
      await ds.runMigrations();
      expect(await tables()).toEqual([
        'devices',
        'installer_tokens',
        'support_session_notes',
        'support_sessions',
      ]);
      await ds.undoLastMigration();
      expect(await tables()).toEqual([]);
      const types = await ds.query<unknown[]>(
        `SELECT 1 FROM pg_type WHERE typname IN ('support_session_status', 'device_kind', 'installer_mode')`,
      );
      expect(types).toHaveLength(0);
      await ds.runMigrations();
      expect(await tables()).toHaveLength(4);
    });
  });
});
