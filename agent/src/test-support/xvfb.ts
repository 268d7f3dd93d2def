import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';

export const hasBinary = (name: string): boolean =>
  spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;

/** A free display number (no lock file, no socket). */
function freeDisplay(): number {
  for (let n = 90 + Math.floor(Math.random() * 300); ; n++) {
    if (!existsSync(`/tmp/.X${n}-lock`) && !existsSync(`/tmp/.X11-unix/X${n}`)) return n;
  }
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A real X server on a private display (Xvfb needs -noreset, or it resets when the last client leaves). */
export async function startXvfb(
  size = '640x480',
): Promise<{ display: string; number: number; stop: () => Promise<void> }> {
  const n = freeDisplay();
  const child = spawn('Xvfb', [`:${n}`, '-noreset', '-screen', '0', `${size}x24`, '-nolisten', 'tcp'], {
    stdio: 'ignore',
  });
  await waitFor(() => existsSync(`/tmp/.X11-unix/X${n}`), 'Xvfb');
  return { display: `:${n}`, number: n, stop: () => stopChild(child) };
}

/** x11vnc on loopback for a display, as a customer's VNC server. */
export async function startX11vnc(display: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(
    'x11vnc',
    ['-localhost', '-rfbport', String(port), '-display', display, '-nopw', '-forever', '-shared', '-quiet'],
    { stdio: 'ignore' },
  );
  const until = Date.now() + 15_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > until || child.exitCode !== null) throw new Error('x11vnc did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
  return { port, stop: () => stopChild(child) };
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
