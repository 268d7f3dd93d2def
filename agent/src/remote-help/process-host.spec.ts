import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { nodeProcessHost } from './process-host';

/** The real primitives, on this machine: what the Windows logic relies on them to do. */
describe('nodeProcessHost', () => {
  const host = nodeProcessHost();

  it('runs a program without a shell, with extra environment, and reports its exit code and output', async () => {
    await expect(
      host.exec('/bin/sh', ['-c', 'printf "%s" "$QS_RH_TEST"; echo oops >&2; exit 3'], {
        env: { QS_RH_TEST: '$(id) ; x' },
      }),
    ).resolves.toEqual({
      exitCode: 3,
      stdout: '$(id) ; x',
      stderr: 'oops\n',
    });
  });

  it('never rejects: a missing program and a timeout come back as exitCode null', async () => {
    await expect(host.exec('/nonexistent/program', [])).resolves.toMatchObject({ exitCode: null });
    await expect(host.exec('/bin/sh', ['-c', 'sleep 5'], { timeoutMs: 100 })).resolves.toMatchObject({
      exitCode: null,
    });
  });

  it('starts a detached program and gives its pid', async () => {
    const pid = await host.spawnDetached('/bin/sh', ['-c', 'exit 0']);
    expect(Number.isInteger(pid) && pid > 0).toBe(true);
    await expect(host.spawnDetached('/nonexistent/program', [])).rejects.toThrow();
  });

  it('tells whether a TCP port answers', async () => {
    const server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await expect(host.canReach('127.0.0.1', port, 2000)).resolves.toBe(true);
    await new Promise((resolve) => server.close(resolve));
    await expect(host.canReach('127.0.0.1', port, 2000)).resolves.toBe(false);
  });
});
