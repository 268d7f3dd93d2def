import { UsageError, parseArgs } from './args';

describe('parseArgs', () => {
  it('reads a quick-support run as the install script starts it', () => {
    const o = parseArgs([
      'run',
      '--mode',
      'quick',
      '--portal',
      'https://portal.example.com',
      '--brand',
      'KW Group (IT)',
      '--work-dir',
      '/tmp/qs-agent.abc123',
    ]);
    expect(o).toMatchObject({
      command: 'run',
      mode: 'quick',
      portalUrl: 'https://portal.example.com',
      brand: 'KW Group (IT)',
      workDir: '/tmp/qs-agent.abc123',
      vncPort: 5900,
    });
  });

  it('speaks English unless --lang names an offered language', () => {
    expect(parseArgs(['run']).language).toBe('en');
    expect(parseArgs(['run', '--lang', 'fr']).language).toBe('fr');
    for (const bad of ['xx', 'DE', 'de-DE', '', "de'; rm -rf /"])
      expect(() => parseArgs(['run', '--lang', bad])).toThrow(UsageError);
  });

  it('takes VNC defaults from the environment and flags over them', () => {
    expect(parseArgs(['run'], { QS_VNC_PORT: '5901' }).vncPort).toBe(5901);
    expect(parseArgs(['run', '--vnc-port', '5905'], { QS_VNC_PORT: '5901' }).vncPort).toBe(5905);
    expect(() => parseArgs(['run'], { QS_VNC_PORT: '99999' })).toThrow(UsageError);
  });

  it.each([
    [['format-disk']],
    [['run', '--portal', "https://x.example.com/'$(id)'"]],
    [['run', '--portal', 'file:///etc/passwd']],
    [['run', '--brand', 'Evil`id`']],
    [['run', '--work-dir', 'relative/path']],
    [['run', '--work-dir', '/tmp/$(id)']],
    [['run', '--mode', 'root']],
    [['run', '--vnc-host', 'a b']],
    [['run', '--bogus']],
    [['run', '--portal']],
  ])('refuses %j', (argv) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
  });
});
