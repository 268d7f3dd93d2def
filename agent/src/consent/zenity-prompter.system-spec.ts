import { hasBinary, startXvfb } from '../test-support/xvfb';
import { silentLogger } from '../test-support/socket-pair';
import { pressKeys, waitForWindow, windowShown } from '../test-support/x-window';
import { askFirst } from './ask-first';
import type { ConsentAnswer, ConsentPrompter, ConsentQuestion } from './consent-types';
import { ZenityPrompter } from './zenity-prompter';

/** The real zenity dialog on a real X display (npm run test:e2e; .ci/run installs zenity and xdotool). */
const MISSING = ['Xvfb', 'zenity', 'xdotool'].filter((b) => !hasBinary(b));

function question(overrides: Partial<ConsentQuestion> = {}): ConsentQuestion {
  return {
    promptId: 'p1',
    sessionId: 's1',
    channel: 'screen',
    technician: 'Alex <b>Tech</b> \\n',
    organisation: 'Acme & Co',
    reason: 'Printer "offline"',
    timeoutMs: 60_000,
    signal: new AbortController().signal,
    ...overrides,
  };
}

const TITLE = 'Acme & Co: remote support request';

describe('ZenityPrompter (real zenity on Xvfb)', () => {
  let xvfb: Awaited<ReturnType<typeof startXvfb>>;

  beforeAll(async () => {
    if (MISSING.length)
      throw new Error(
        `Install ${MISSING.join(', ')} first (apt-get install xvfb zenity xdotool); .ci/run does.`,
      );
    xvfb = await startXvfb();
  });
  afterAll(() => xvfb?.stop());

  const prompter = (): ZenityPrompter =>
    new ZenityPrompter({ env: { ...process.env, DISPLAY: xvfb.display }, logger: silentLogger });

  it.each<[string, ConsentAnswer]>([
    ['alt+v', 'view_only'],
    ['alt+a', 'allow'],
    ['alt+s', 'allow_session'],
    ['alt+d', 'deny'],
    ['Escape', 'deny'],
    ['Return', 'deny'],
  ])(
    'the customer presses %s in the dialog: %s',
    async (key, expected) => {
      const answer = prompter().ask(question());
      const window = await waitForWindow(xvfb.display, TITLE);
      await pressKeys(xvfb.display, window, key);
      await expect(answer).resolves.toBe(expected);
    },
    60_000,
  );

  it('is withdrawn when the terminal answers first: the dialog goes away', async () => {
    let answerInTerminal: (a: ConsentAnswer) => void = () => undefined;
    const terminal: ConsentPrompter = {
      name: 'terminal',
      ask: () => new Promise((resolve) => (answerInTerminal = resolve)),
    };
    const answer = askFirst([prompter(), terminal], question());
    await waitForWindow(xvfb.display, TITLE);
    answerInTerminal('allow_session');
    await expect(answer).resolves.toBe('allow_session');
    const deadline = Date.now() + 10_000;
    while ((await windowShown(xvfb.display, TITLE)) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await windowShown(xvfb.display, TITLE)).toBe(false);
  }, 60_000);

  it('offers no View only for a terminal: Alt+V does nothing there, Alt+A allows', async () => {
    const answer = prompter().ask(question({ channel: 'shell' }));
    const window = await waitForWindow(xvfb.display, TITLE);
    await pressKeys(xvfb.display, window, 'alt+v', 'alt+a');
    await expect(answer).resolves.toBe('allow');
  }, 60_000);

  it('is unavailable on a display that does not exist', async () => {
    const broken = new ZenityPrompter({
      env: { ...process.env, DISPLAY: ':4999' },
      logger: silentLogger,
    });
    await expect(broken.ask(question())).resolves.toBe('unavailable');
  }, 60_000);
});
