import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadAppConfig } from './app-config';

describe('quick-support and installer configuration', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'qs-config-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const load = (env: Record<string, string>) =>
    loadAppConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, RELAY_SECRET: 'x'.repeat(40), ...env });

  it('has safe defaults', () => {
    const c = load({});
    expect(c.quickSupport).toMatchObject({
      publicRatePerIpPerMin: 120,
      publicRatePerNetworkPerMin: 1200,
      publicMissesPerNetworkPer10Min: 100,
      publicMissesPerIpPer10Min: 20,
    });
    expect(c.installers.persistentTokenTtlSec).toBe(3600);
    expect(c.installers.nodeMirrorUrl).toBe('');
    expect(c.installers.bundlePath.endsWith(join('dist', 'agent', 'agent.js'))).toBe(true);
    expect(c.installers.templateDir.endsWith(join('agent', 'templates'))).toBe(true);
  });

  it('reads and trims a Node mirror URL', () => {
    expect(load({ AGENT_NODE_MIRROR_URL: 'https://mirror.example.com/node/' }).installers.nodeMirrorUrl).toBe(
      'https://mirror.example.com/node',
    );
  });

  it.each([
    ['QS_PUBLIC_RATE_PER_IP', '0'],
    ['QS_PUBLIC_RATE_PER_NETWORK', 'lots'],
    ['QS_PUBLIC_MISSES_PER_NETWORK', '0'],
    ['QS_PUBLIC_MISSES_PER_IP', '-1'],
    ['AGENT_INSTALL_TOKEN_TTL_SEC', '10'],
    ['AGENT_NODE_MIRROR_URL', "https://mirror.example.com/$(id)'"],
    ['AGENT_NODE_MIRROR_URL', 'ftp://mirror.example.com'],
  ])('refuses %s=%p, naming the variable', (name, value) => {
    expect(() => load({ [name]: value })).toThrow(ConfigError);
    expect(() => load({ [name]: value })).toThrow(name);
  });
});
