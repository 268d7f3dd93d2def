import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentLogger } from '../core/logger';
import type { ConsentQuestion, IndicatorState } from './consent-types';
import { ZenityIndicator } from './zenity-indicator';
import { ZenityPrompter } from './zenity-prompter';

/**
 * zenity that fails: stand-in programs that crash, print nonsense or do not exist. The dialog then cannot
 * ask (`unavailable`, so the terminal asks), and a broken indicator window is logged while nothing stops.
 * The real zenity is driven on Xvfb in zenity-prompter.system-spec.ts and zenity-indicator.system-spec.ts.
 */
let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'qs-zenity-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeZenity(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

function recordingLogger(): AgentLogger & { lines: string[]; waitFor(text: string): Promise<void> } {
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  const push = (line: string): void => {
    lines.push(line);
    wake?.();
  };
  return {
    lines,
    debug: push,
    info: push,
    warn: push,
    error: push,
    waitFor: async (text) => {
      while (!lines.some((l) => l.includes(text))) await new Promise<void>((resolve) => (wake = resolve));
    },
  };
}

const QUESTION: ConsentQuestion = {
  promptId: 'p1',
  sessionId: 's1',
  channel: 'screen',
  technician: 'Alex',
  organisation: 'Acme',
  timeoutMs: 30_000,
  signal: new AbortController().signal,
};

const env = { PATH: '/usr/bin:/bin', DISPLAY: ':0' };

describe('ZenityPrompter when zenity fails', () => {
  it.each([
    ['crashes', 'kill -SEGV $$'],
    ['cannot open the display', 'echo "(zenity:1): Gtk-WARNING **: cannot open display: :0" >&2; exit 1'],
    ['prints an unknown label', 'echo "Format disk"; exit 1'],
    ['exits with an error code', 'exit 255'],
  ])('%s: unavailable', async (name, body) => {
    const logger = recordingLogger();
    const prompter = new ZenityPrompter({ env, logger, zenity: fakeZenity(name.replace(/\W/g, '-'), body) });
    await expect(prompter.ask(QUESTION)).resolves.toBe('unavailable');
    expect(logger.lines.join('\n')).toMatch(/consent dialog/);
  });

  it('cannot be started: unavailable', async () => {
    const prompter = new ZenityPrompter({ env, logger: recordingLogger(), zenity: join(dir, 'missing') });
    await expect(prompter.ask(QUESTION)).resolves.toBe('unavailable');
  });

  it('no display, or zenity not installed: unavailable without starting anything', async () => {
    const noDisplay = new ZenityPrompter({ env: { PATH: env.PATH }, logger: recordingLogger() });
    await expect(noDisplay.ask(QUESTION)).resolves.toBe('unavailable');
    const noZenity = new ZenityPrompter({ env: { DISPLAY: ':0', PATH: dir }, logger: recordingLogger() });
    expect(noZenity.available).toBe(false);
    await expect(noZenity.ask(QUESTION)).resolves.toBe('unavailable');
  });
});

describe('ZenityIndicator when zenity fails', () => {
  const STATE: IndicatorState = {
    technician: 'Alex',
    organisation: 'Acme',
    capabilities: ['view'],
    since: new Date(),
  };

  it('a crashed window is logged and nothing is ended or stopped', async () => {
    const logger = recordingLogger();
    const actions = { endNow: jest.fn(), stopChannel: jest.fn(), setScreenMode: jest.fn() };
    const indicator = new ZenityIndicator({
      env,
      logger,
      actions,
      zenity: fakeZenity('indicator-crash', 'cat >/dev/null & kill -SEGV $$'),
      every: () => ({ cancel: () => undefined }),
    });
    indicator.show(STATE);
    await logger.waitFor('indicator window ended (SIGSEGV)');
    indicator.show({ ...STATE, capabilities: ['view', 'terminal'] });
    expect(indicator.pid).toBeUndefined(); // not restarted after a crash: the terminal line remains
    indicator.close();
    expect(actions.endNow).not.toHaveBeenCalled();
    expect(actions.stopChannel).not.toHaveBeenCalled();
    expect(actions.setScreenMode).not.toHaveBeenCalled();
  });

  it('receives its text as "# text" lines on stdin, the untrusted names as plain text', async () => {
    const out = join(dir, 'indicator-stdin.txt');
    const logger = recordingLogger();
    const indicator = new ZenityIndicator({
      env,
      logger,
      actions: { endNow: jest.fn(), stopChannel: jest.fn(), setScreenMode: jest.fn() },
      zenity: fakeZenity('indicator-record', `exec cat > '${out}'`),
      now: () => STATE.since,
      every: () => ({ cancel: () => undefined }),
    });
    indicator.show({ ...STATE, technician: 'Eve <b>\\x</b>\n# 100' });
    const deadline = Date.now() + 10_000;
    while (!existsSync(out) || !readFileSync(out, 'utf8').includes('\n')) {
      if (Date.now() > deadline) throw new Error('the window never received its text');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(readFileSync(out, 'utf8')).toBe(
      '# Eve <b>\\\\x</b> # 100 from Acme can see your screen (for less than a minute).\n',
    );
    indicator.close();
  });
});
