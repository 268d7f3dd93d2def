import type { ConsentMessage } from '../../../contracts/agent-protocol/control-messages';
import type { ConsentPolicy } from '../../../contracts/agent-protocol/enums';
import { CONSENT_SENTENCES, ConsentManager, effectivePolicy, type AskFunction } from './consent-manager';
import type { ConsentAnswer, ConsentPrompter, ConsentQuestion } from './consent-types';

const SESSION = '9b2e6c1d-0f3a-4d5b-8e7f-1a2b3c4d5e6f';
const OTHER = '1a2b3c4d-0f3a-4d5b-8e7f-9b2e6c1d5e6f';
const terminal: ConsentPrompter = { name: 'terminal', ask: () => Promise.resolve('deny') };

/** A person at the device who answers each question when the test says so. */
function setup(
  options: {
    mode?: 'quick' | 'persistent';
    devicePolicy?: ConsentPolicy;
    prompters?: ConsentPrompter[];
  } = {},
) {
  const reports: ConsentMessage[] = [];
  const questions: { question: ConsentQuestion; answer: (a: ConsentAnswer | 'unavailable') => void }[] = [];
  const ask: AskFunction = (_prompters, question) =>
    new Promise((resolve) => questions.push({ question, answer: resolve }));
  const manager = new ConsentManager({
    mode: options.mode ?? 'quick',
    devicePolicy: options.devicePolicy ?? 'ask',
    organisation: 'Example IT',
    prompters: () => options.prompters ?? [terminal],
    ask: jest.fn(ask),
    report: (m) => reports.push(m),
    defaultTimeoutSec: 30,
  });
  const context = (policy: ConsentPolicy = 'ask') => ({
    technician: 'Tech One',
    organisation: 'Example IT',
    reason: 'Printer',
    policy,
    timeoutSec: 20,
  });
  return { manager, reports, questions, context, ask: manager['options'].ask as jest.Mock };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('effectivePolicy', () => {
  it.each([
    ['ask', 'silent', 'ask'],
    ['silent', 'ask', 'ask'],
    ['notify', 'silent', 'notify'],
    ['silent', 'notify', 'notify'],
    ['silent', 'silent', 'silent'],
    [undefined, 'silent', 'ask'],
  ] as const)('portal %s with device %s asks as %s', (portal, device, expected) => {
    expect(effectivePolicy(portal, device)).toBe(expected);
  });
});

describe('ConsentManager', () => {
  it('asks with the portal’s names, reports the question and an allow for one connection', async () => {
    const { manager, reports, questions, context } = setup();
    const verdict = manager.decide({ sessionId: SESSION, channel: 'screen', context: context() });
    await flush();
    expect(questions).toHaveLength(1);
    const { question } = questions[0];
    expect(question).toMatchObject({
      sessionId: SESSION,
      channel: 'screen',
      technician: 'Tech One',
      organisation: 'Example IT',
      reason: 'Printer',
      timeoutMs: 20_000,
    });
    expect(question.promptId).toMatch(/^p-[A-Za-z0-9_-]{12}$/);
    questions[0].answer('allow');
    await expect(verdict).resolves.toEqual({ allowed: true, mode: 'control' });
    expect(reports).toEqual([
      {
        type: 'consent',
        sessionId: SESSION,
        channel: 'screen',
        event: 'asked',
        policy: 'ask',
        promptId: question.promptId,
        expiresInSec: 20,
      },
      {
        type: 'consent',
        sessionId: SESSION,
        channel: 'screen',
        event: 'allowed',
        policy: 'ask',
        promptId: question.promptId,
        scope: 'once',
        mode: 'control',
      },
    ]);
    // "Allow" covered that connection only: the next one is asked again, with a new prompt id.
    void manager.decide({ sessionId: SESSION, channel: 'screen', context: context() });
    await flush();
    expect(questions).toHaveLength(2);
    expect(questions[1].question.promptId).not.toBe(question.promptId);
  });

  it('remembers "allow for this session" per session and channel only', async () => {
    const { manager, questions, context } = setup();
    const first = manager.decide({ sessionId: SESSION, channel: 'shell', context: context() });
    await flush();
    questions[0].answer('allow_session');
    await expect(first).resolves.toEqual({ allowed: true, mode: 'control' });
    await expect(
      manager.decide({ sessionId: SESSION, channel: 'shell', context: context() }),
    ).resolves.toEqual({
      allowed: true,
      mode: 'control',
    });
    void manager.decide({ sessionId: SESSION, channel: 'screen', context: context() });
    void manager.decide({ sessionId: OTHER, channel: 'shell', context: context() });
    await flush();
    expect(questions.map((q) => [q.question.sessionId, q.question.channel])).toEqual([
      [SESSION, 'shell'],
      [SESSION, 'screen'],
      [OTHER, 'shell'],
    ]);
  });

  it('opens the screen view-only, remembers it, and follows the customer’s switch', async () => {
    const { manager, reports, questions, context } = setup();
    const verdict = manager.decide({ sessionId: SESSION, channel: 'screen', context: context() });
    await flush();
    questions[0].answer('view_only');
    await expect(verdict).resolves.toEqual({ allowed: true, mode: 'view_only' });
    expect(reports.at(-1)).toMatchObject({ event: 'allowed_view_only', scope: 'session', mode: 'view_only' });
    manager.modeChanged(SESSION, 'control');
    expect(reports.at(-1)).toMatchObject({ event: 'mode_changed', channel: 'screen', mode: 'control' });
    await expect(
      manager.decide({ sessionId: SESSION, channel: 'screen', context: context() }),
    ).resolves.toEqual({
      allowed: true,
      mode: 'control',
    });
  });

  it('never lets "view only" open anything but the screen', async () => {
    const { manager, reports, questions, context } = setup();
    const verdict = manager.decide({ sessionId: SESSION, channel: 'shell', context: context() });
    await flush();
    questions[0].answer('view_only');
    await expect(verdict).resolves.toEqual({ allowed: false, message: CONSENT_SENTENCES.denied });
    expect(reports.at(-1)).toMatchObject({ event: 'denied', channel: 'shell' });
  });

  it.each([
    ['deny', 'denied', CONSENT_SENTENCES.denied],
    ['timeout', 'timed_out', CONSENT_SENTENCES.timedOut],
    ['unavailable', 'unavailable', CONSENT_SENTENCES.unavailable],
  ] as const)('answers %s with a no and reports %s', async (answer, event, message) => {
    const { manager, reports, questions, context } = setup();
    const verdict = manager.decide({ sessionId: SESSION, channel: 'screen', context: context() });
    await flush();
    questions[0].answer(answer);
    await expect(verdict).resolves.toEqual({ allowed: false, message });
    expect(reports.at(-1)).toMatchObject({ event, promptId: questions[0].question.promptId });
  });

  it('denies without asking when the device has no way to ask', async () => {
    const { manager, reports, ask, context } = setup({ prompters: [] });
    await expect(
      manager.decide({ sessionId: SESSION, channel: 'screen', context: context() }),
    ).resolves.toEqual({
      allowed: false,
      message: CONSENT_SENTENCES.unavailable,
    });
    expect(ask).not.toHaveBeenCalled();
    expect(reports).toEqual([
      { type: 'consent', sessionId: SESSION, channel: 'screen', event: 'unavailable', policy: 'ask' },
    ]);
  });

  it('a prompt that fails counts as no way to ask, never as a yes', async () => {
    const reports: ConsentMessage[] = [];
    const manager = new ConsentManager({
      mode: 'quick',
      devicePolicy: 'ask',
      organisation: 'Example IT',
      prompters: () => [terminal],
      ask: () => Promise.reject(new Error('dialog crashed')),
      report: (m) => reports.push(m),
    });
    await expect(manager.decide({ sessionId: SESSION, channel: 'screen' })).resolves.toEqual({
      allowed: false,
      message: CONSENT_SENTENCES.unavailable,
    });
    expect(reports.at(-1)).toMatchObject({ event: 'unavailable' });
  });

  it('a second request while the question shows waits for the same answer', async () => {
    const { manager, questions, ask, context } = setup();
    const a = manager.decide({ sessionId: SESSION, channel: 'screen', context: context() });
    const b = manager.decide({ sessionId: SESSION, channel: 'screen', context: context() });
    await flush();
    expect(ask).toHaveBeenCalledTimes(1);
    questions[0].answer('deny');
    await expect(a).resolves.toMatchObject({ allowed: false });
    await expect(b).resolves.toMatchObject({ allowed: false });
  });

  it('a late answer to a withdrawn question opens nothing', async () => {
    const { manager, reports, questions, context } = setup();
    const verdict = manager.decide({ sessionId: SESSION, channel: 'screen', context: context() });
    await flush();
    manager.withdrawAll();
    expect(questions[0].question.signal.aborted).toBe(true);
    questions[0].answer('allow_session');
    await expect(verdict).resolves.toEqual({ allowed: false, message: CONSENT_SENTENCES.withdrawn });
    expect(reports.at(-1)).toMatchObject({ event: 'denied' });
    // Nothing was remembered from it either.
    void manager.decide({ sessionId: SESSION, channel: 'screen', context: context() });
    await flush();
    expect(questions).toHaveLength(2);
  });

  it('taking a channel back forgets the session’s answer and reports it', async () => {
    const { manager, reports, questions, context } = setup();
    const first = manager.decide({ sessionId: SESSION, channel: 'screen', context: context() });
    await flush();
    questions[0].answer('allow_session');
    await first;
    manager.revoked(SESSION, 'screen');
    expect(reports.at(-1)).toEqual({
      type: 'consent',
      sessionId: SESSION,
      channel: 'screen',
      event: 'revoked',
      policy: 'ask',
    });
    void manager.decide({ sessionId: SESSION, channel: 'screen', context: context() });
    await flush();
    expect(questions).toHaveLength(2);
  });

  it('a quick-support agent asks whatever policy the portal sends', async () => {
    const { manager, questions, context } = setup({ mode: 'quick', devicePolicy: 'silent' });
    void manager.decide({ sessionId: SESSION, channel: 'screen', context: context('silent') });
    await flush();
    expect(questions).toHaveLength(1);
  });

  it('a persistent device opens without asking only when both sides agree, and says so', async () => {
    const both = setup({ mode: 'persistent', devicePolicy: 'silent' });
    await expect(
      both.manager.decide({ sessionId: SESSION, channel: 'shell', context: both.context('silent') }),
    ).resolves.toEqual({
      allowed: true,
      mode: 'control',
    });
    expect(both.reports).toEqual([
      { type: 'consent', sessionId: SESSION, channel: 'shell', event: 'not_asked', policy: 'silent' },
    ]);
    const portalOnly = setup({ mode: 'persistent', devicePolicy: 'ask' });
    void portalOnly.manager.decide({
      sessionId: SESSION,
      channel: 'shell',
      context: portalOnly.context('silent'),
    });
    await flush();
    expect(portalOnly.questions).toHaveLength(1);
  });

  it('the gate hook asks commands per session and trusts an allowed commands channel', async () => {
    const { manager, questions, context } = setup();
    expect(manager.hook({ action: 'launch' })).toEqual({ allowed: true });
    expect(manager.hook({ action: 'run_command', sessionId: SESSION, coveredByChannel: true })).toEqual({
      allowed: true,
    });
    void manager.hook({ action: 'run_command', sessionId: SESSION, consent: context() });
    await flush();
    expect(questions[0].question.channel).toBe('commands');
  });

  it('reports an ended session once per session', () => {
    const { manager, reports } = setup();
    manager.endedLocally([SESSION, SESSION, OTHER]);
    expect(reports).toEqual([
      { type: 'consent', sessionId: SESSION, event: 'ended_locally', policy: 'ask' },
      { type: 'consent', sessionId: OTHER, event: 'ended_locally', policy: 'ask' },
    ]);
  });
});
