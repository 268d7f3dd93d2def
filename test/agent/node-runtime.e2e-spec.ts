import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../agent/src/test-support/xvfb';
import { RELAXED_LIMITS_ENV, USER_AGENTS, makeSupportSession } from '../support/quick-support-factories';
import { createTestDatabase } from '../support/test-db';
import { buildAgentBundle, customerHome, fakeSudoDir } from './support/agent-env';
import { buildNodeMirror, serveDirectory } from './support/node-mirror';
import { startPortal, type RunningPortal } from './support/portal';
import { renderTemplate } from './support/render';
import { ScriptRun } from './support/script-run';

jest.setTimeout(180_000);

/**
 * The no-Node path: the machine's Node is too old (a stand-in `node` reporting 16), so the served
 * script downloads the runtime from the portal's configured mirror (here a loopback one holding the
 * project's own Node 24 binary), checks its SHASUMS256 entry, runs the agent with it and removes it.
 */
describe('Node runtime download (loopback mirror)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'qs-agent-node-'));
  let mirror: Awaited<ReturnType<typeof serveDirectory>>;
  let db: { url: string; drop: () => Promise<void> };
  let portal: RunningPortal;
  let bundle: Buffer;
  let pathWithOldNode: string;

  beforeAll(async () => {
    const bundlePath = buildAgentBundle(scratch);
    bundle = readFileSync(bundlePath);
    buildNodeMirror(join(scratch, 'mirror'));
    mirror = await serveDirectory(join(scratch, 'mirror'));
    const oldNode = join(scratch, 'old-node-bin');
    mkdirSync(oldNode);
    writeFileSync(join(oldNode, 'node'), '#!/bin/sh\necho 16\n');
    chmodSync(join(oldNode, 'node'), 0o755);
    pathWithOldNode = `${oldNode}:${fakeSudoDir(scratch)}:${process.env.PATH ?? ''}`;
    db = await createTestDatabase();
    const port = await freePort();
    portal = await startPortal({
      databaseUrl: db.url,
      dataDir: join(scratch, 'data'),
      port,
      env: {
        ...RELAXED_LIMITS_ENV,
        AGENT_BUNDLE_PATH: bundlePath,
        AGENT_NODE_MIRROR_URL: `${mirror.url}/good`,
      },
    });
  });

  afterAll(async () => {
    await portal?.close();
    await mirror?.close();
    await db?.drop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('downloads, verifies and uses a private runtime, then removes it with the agent (which speaks the page’s language)', async () => {
    const tech = await portal.login();
    const session = await makeSupportSession(tech);
    // The customer chose German on the connect page: the script starts the agent with --lang de.
    const res = await fetch(`${portal.baseUrl}${session.path}/download/linux?lang=de`, {
      headers: { 'user-agent': USER_AGENTS.linux },
    });
    const customer = customerHome(scratch, 'customer');
    writeFileSync(join(customer.downloads, 'kwgroup-quicksupport.sh'), await res.text());
    const run = new ScriptRun(
      ['-c', 'sudo bash ~/Downloads/kwgroup-quicksupport.sh'],
      { ...process.env, PATH: pathWithOldNode, HOME: customer.home, TMPDIR: customer.tmp },
      customer.home,
    );
    try {
      await run.waitFor(/Verbunden\. Warten auf einen Techniker\. Drücken Sie/, 60_000);
      expect(run.stdout).toContain('downloading a private Node.js runtime');
      expect(run.stderr).toMatch(/#/); // curl's progress bar
      expect(mirror.requests).toEqual([
        '/good/latest-v24.x/SHASUMS256.txt',
        expect.stringMatching(/^\/good\/latest-v24\.x\/node-v24\.[\d.]+-linux-x64\.tar\.gz$/),
      ]);
      const [work] = readdirSync(customer.tmp);
      expect(existsSync(join(customer.tmp, work, 'node', 'bin', 'node'))).toBe(true);
      expect(readdirSync(join(customer.tmp, work)).sort()).toEqual(['agent.js', 'node']);
      await tech.post(`/api/quick-support/sessions/${session.id}/end`).send({});
      await expect(run.exited).resolves.toEqual({ code: 0, signal: null });
      expect(readdirSync(customer.tmp)).toEqual([]);
    } finally {
      run.kill('SIGKILL');
    }
  });

  it('refuses a runtime whose checksum does not match, in one sentence, leaving nothing', async () => {
    const customer = customerHome(scratch, 'bad-sum');
    const script = join(customer.downloads, 'kwgroup-quicksupport.sh');
    writeFileSync(script, renderTemplate('linux', bundle, { nodeMirrorUrl: `${mirror.url}/bad` }));
    const run = new ScriptRun(
      [script],
      { ...process.env, PATH: pathWithOldNode, TMPDIR: customer.tmp },
      customer.home,
    );
    await expect(run.exited).resolves.toEqual({ code: 1, signal: null });
    expect(run.stderr).toContain('The downloaded Node.js runtime failed its checksum and was not used.');
    expect(readdirSync(customer.tmp)).toEqual([]);
  });

  it('says what to install when there is no usable Node and no download', async () => {
    const customer = customerHome(scratch, 'offline');
    const script = join(customer.downloads, 'kwgroup-quicksupport.sh');
    writeFileSync(
      script,
      renderTemplate('linux', bundle, { nodeMirrorUrl: `http://127.0.0.1:${await freePort()}` }),
    );
    const run = new ScriptRun(
      [script],
      { ...process.env, PATH: pathWithOldNode, TMPDIR: customer.tmp },
      customer.home,
    );
    await expect(run.exited).resolves.toEqual({ code: 1, signal: null });
    expect(run.stderr).toContain(
      'Node.js 18 or newer is needed and could not be downloaded: install Node.js (https://nodejs.org), then run this again.',
    );
    expect(readdirSync(customer.tmp)).toEqual([]);
  });
});
