import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { RegisterResponse } from '../../../contracts/agent-protocol/registration';
import { parseArgs } from '../cli/args';
import { silentLogger } from '../test-support/socket-pair';
import { assertWindowsRuntimeSource, installPersistent, uninstallPersistent } from './installer';
import { readCredential, readPersistentConfig } from './persistent-config';

const DEVICE: RegisterResponse = {
  deviceId: '3f1c2a4e-8b7d-4c3e-9a21-5d6f7e8a9b0c',
  deviceCredential: 'Zx8yQ2w3E4r5T6y7U8i9O0pA1s2D3f4G5h6J7k8L9zX',
  controlUrl: 'wss://portal.example.com/api/agent/ws',
};

function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(root, path));
    }
  };
  walk(root);
  return out.sort();
}

describe('persistent install into a prefix (Linux)', () => {
  let scratch: string;
  let prefix: string;
  let source: string;
  /** The node that ran the install (as found on PATH); the service gets its own copy. */
  let pathNode: string;

  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'qs-install-'));
    prefix = join(scratch, 'root');
    source = join(scratch, 'agent.js');
    writeFileSync(source, '// agent bundle\n');
    pathNode = join(scratch, 'path-node');
    writeFileSync(pathNode, 'node binary', { mode: 0o755 });
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  const options = (extra: string[] = []) =>
    parseArgs([
      'install',
      '--portal',
      'https://portal.example.com',
      '--brand',
      'KW Group',
      '--prefix',
      prefix,
      '--no-start',
      ...extra,
    ]);

  it('writes the agent, a root-only credential, the config, the unit and an uninstall script; uninstall removes all of it', async () => {
    const exec = jest.fn(() => Promise.resolve());
    const register = jest.fn(() => Promise.resolve(DEVICE));
    const layout = await installPersistent(options(), {
      os: 'linux',
      exec,
      logger: silentLogger,
      register,
      nodeExecPath: pathNode,
      agentSource: source,
    });
    expect(register).toHaveBeenCalledTimes(1);
    expect(exec).not.toHaveBeenCalled();
    expect(filesUnder(prefix)).toEqual([
      'etc/quicksupport-agent/agent.json',
      'etc/quicksupport-agent/credential.json',
      'etc/systemd/system/quicksupport-agent.service',
      'opt/quicksupport-agent/agent.js',
      'opt/quicksupport-agent/node/bin/node',
      'opt/quicksupport-agent/uninstall',
    ]);
    const runtime = join(prefix, 'opt/quicksupport-agent/node/bin/node');
    expect(readFileSync(runtime, 'utf8')).toBe('node binary');
    expect(statSync(runtime).mode & 0o777).toBe(0o755);
    expect(statSync(layout.credentialFile).mode & 0o777).toBe(0o600);
    expect(statSync(layout.configFile).mode & 0o777).toBe(0o600);
    expect(statSync(layout.configDir).mode & 0o777).toBe(0o700);
    expect(readCredential(layout.credentialFile)).toEqual(DEVICE);
    expect(readPersistentConfig(layout.configFile)).toMatchObject({
      portalUrl: 'https://portal.example.com',
      brand: 'KW Group',
      killSwitch: false,
      credentialFile: layout.credentialFile,
    });
    expect(readFileSync(layout.serviceFile!, 'utf8')).toBe(`[Unit]
Description=KW Group remote support agent
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart="${runtime}" "${prefix}/opt/quicksupport-agent/agent.js" run --mode persistent --config "${prefix}/etc/quicksupport-agent/agent.json"
Restart=always
RestartSec=10
KillSignal=SIGTERM
TimeoutStopSec=15
UMask=0077

[Install]
WantedBy=multi-user.target
`);
    expect(readFileSync(layout.uninstallScript, 'utf8')).toContain(
      `exec "${runtime}" "${prefix}/opt/quicksupport-agent/agent.js" uninstall --prefix "${prefix}"`,
    );
    expect(statSync(layout.uninstallScript).mode & 0o777).toBe(0o700);

    await uninstallPersistent(parseArgs(['uninstall', '--prefix', prefix]), {
      os: 'linux',
      exec,
      logger: silentLogger,
    });
    expect(filesUnder(prefix)).toEqual([]);
  });

  it('keeps a downloaded runtime beside the agent and points the unit at it', async () => {
    const work = join(scratch, 'qs-agent.abcdef');
    const nodeBin = join(work, 'node', 'bin');
    mkdirSync(nodeBin, { recursive: true });
    writeFileSync(join(nodeBin, 'node'), 'binary');
    const layout = await installPersistent(options(['--work-dir', work]), {
      os: 'linux',
      exec: () => Promise.resolve(),
      logger: silentLogger,
      register: () => Promise.resolve(DEVICE),
      nodeExecPath: join(nodeBin, 'node'),
      agentSource: source,
    });
    expect(readFileSync(join(layout.nodeDir, 'bin', 'node'), 'utf8')).toBe('binary');
    expect(readFileSync(layout.serviceFile!, 'utf8')).toContain(
      `ExecStart="${prefix}/opt/quicksupport-agent/node/bin/node"`,
    );
  });

  it('macOS: the launchd daemon runs the copy of the runtime inside the program folder', async () => {
    const layout = await installPersistent(options(), {
      os: 'macos',
      exec: () => Promise.resolve(),
      logger: silentLogger,
      register: () => Promise.resolve(DEVICE),
      nodeExecPath: pathNode,
      agentSource: source,
    });
    const runtime = join(prefix, 'usr/local/lib/quicksupport-agent/node/bin/node');
    expect(readFileSync(runtime, 'utf8')).toBe('node binary');
    expect(readFileSync(layout.serviceFile!, 'utf8')).toContain(
      `<array>\n    <string>${runtime}</string>\n    <string>${layout.agentFile}</string>`,
    );
  });

  it('refuses to install twice and registers nothing the second time', async () => {
    const deps = {
      os: 'linux' as const,
      exec: () => Promise.resolve(),
      logger: silentLogger,
      register: jest.fn(() => Promise.resolve(DEVICE)),
      nodeExecPath: pathNode,
      agentSource: source,
    };
    await installPersistent(options(), deps);
    await expect(installPersistent(options(), deps)).rejects.toThrow('already installed');
    expect(deps.register).toHaveBeenCalledTimes(1);
  });

  it.each([
    [
      'linux',
      [
        ['systemctl', ['daemon-reload']],
        ['systemctl', ['enable', '--now', 'quicksupport-agent.service']],
      ],
      [
        ['systemctl', ['disable', '--now', 'quicksupport-agent.service']],
        ['systemctl', ['daemon-reload']],
      ],
    ],
    [
      'macos',
      [
        [
          'launchctl',
          ['bootstrap', 'system', expect.stringMatching(/LaunchDaemons\/com\.quicksupport\.agent\.plist$/)],
        ],
      ],
      [['launchctl', ['bootout', 'system/com.quicksupport.agent']]],
    ],
  ] as const)(
    'on %s enables and starts the service, and stops and removes it',
    async (os, installCalls, uninstallCalls) => {
      const exec = jest.fn((_file: string, _args: string[]) => Promise.resolve());
      await installPersistent(options(), {
        os,
        exec,
        logger: silentLogger,
        register: () => Promise.resolve(DEVICE),
        nodeExecPath: pathNode,
        agentSource: source,
        manageService: true,
      });
      expect(exec.mock.calls).toEqual(installCalls);
      exec.mockClear();
      await uninstallPersistent(parseArgs(['uninstall', '--prefix', prefix]), {
        os,
        exec,
        logger: silentLogger,
        manageService: true,
      });
      expect(exec.mock.calls).toEqual(uninstallCalls);
      expect(filesUnder(prefix)).toEqual([]);
    },
  );
});

describe('persistent install: the runtime source, registration order and cleanup', () => {
  let scratch: string;
  let prefix: string;
  let source: string;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'qs-install-src-'));
    prefix = join(scratch, 'root');
    source = join(scratch, 'agent.js');
    writeFileSync(source, '// agent bundle\n');
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));
  const options = () =>
    parseArgs(['install', '--portal', 'https://portal.example.com', '--prefix', prefix, '--no-start']);
  const deps = (nodeExecPath: string, register = jest.fn(() => Promise.resolve(DEVICE))) => ({
    os: 'linux' as const,
    exec: () => Promise.resolve(),
    logger: silentLogger,
    register,
    nodeExecPath,
    agentSource: source,
  });

  it('refuses to copy a node that someone other than root owns, before registering, and leaves no program folder', async () => {
    const nobody = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
    const userNode = join(scratch, 'user-node');
    writeFileSync(userNode, 'node binary', { mode: 0o755 });
    chownSync(userNode, nobody, nobody);
    const d = deps(userNode);
    await expect(installPersistent(options(), d)).rejects.toThrow(
      `but ${userNode} is owned by user id ${nobody}, not by root`,
    );
    expect(d.register).not.toHaveBeenCalled();
    expect(existsSync(join(prefix, 'opt/quicksupport-agent'))).toBe(false);
  });

  it('refuses to copy a world-writable node, before registering', async () => {
    const looseNode = join(scratch, 'loose-node');
    writeFileSync(looseNode, 'node binary');
    chmodSync(looseNode, 0o777);
    const d = deps(looseNode);
    await expect(installPersistent(options(), d)).rejects.toThrow(
      `but ${looseNode} is writable by every user`,
    );
    expect(d.register).not.toHaveBeenCalled();
    expect(existsSync(join(prefix, 'opt/quicksupport-agent'))).toBe(false);
  });

  it('removes the program folder when registration fails', async () => {
    const node = join(scratch, 'node');
    writeFileSync(node, 'node binary', { mode: 0o755 });
    const register = jest.fn(() => Promise.reject(new Error('the installer token was already used')));
    await expect(installPersistent(options(), deps(node, register))).rejects.toThrow('already used');
    expect(register).toHaveBeenCalledTimes(1);
    expect(existsSync(join(prefix, 'opt/quicksupport-agent'))).toBe(false);
    expect(existsSync(join(prefix, 'etc/quicksupport-agent'))).toBe(false);
  });

  it('makes the program folder 0755 whatever the umask (the scripts run with umask 077)', async () => {
    const node = join(scratch, 'node');
    writeFileSync(node, 'node binary', { mode: 0o755 });
    const old = process.umask(0o077);
    try {
      const layout = await installPersistent(options(), deps(node));
      expect(statSync(layout.appDir).mode & 0o777).toBe(0o755);
    } finally {
      process.umask(old);
    }
  });
});

describe('persistent install refuses a program folder others could change', () => {
  it('refuses before registering when a folder above the install is group-writable', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'qs-install-loose-'));
    try {
      const shared = join(scratch, 'shared');
      mkdirSync(shared);
      chmodSync(shared, 0o775);
      const source = join(scratch, 'agent.js');
      writeFileSync(source, '// agent bundle\n');
      const register = jest.fn(() => Promise.resolve(DEVICE));
      const options = parseArgs([
        'install',
        '--portal',
        'https://portal.example.com',
        '--prefix',
        join(shared, 'root'),
        '--no-start',
      ]);
      await expect(
        installPersistent(options, {
          os: 'linux',
          exec: () => Promise.resolve(),
          logger: silentLogger,
          register,
          nodeExecPath: source,
          agentSource: source,
        }),
      ).rejects.toThrow(`but ${shared} is writable by its group`);
      expect(register).not.toHaveBeenCalled();
      expect(readdirSync(shared)).toEqual([]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe("the Windows service runtime comes from the script's locked download only", () => {
  it('accepts the runtime inside the work folder and refuses a node.exe from anywhere else', () => {
    const work = '/programdata/qs-agent.0123456789ab';
    expect(() =>
      assertWindowsRuntimeSource(`${work}/node/node-v24.1.0-win-x64/node.exe`, work),
    ).not.toThrow();
    for (const elsewhere of [
      '/users/customer/appdata/node.exe',
      `${work}-evil/node.exe`,
      `${work}/../node.exe`,
    ])
      expect(() => assertWindowsRuntimeSource(elsewhere, work)).toThrow(
        'on Windows the service runs only the Node.js runtime the install script downloaded into its locked work folder',
      );
    expect(() => assertWindowsRuntimeSource(`${work}/node.exe`, undefined)).toThrow('locked work folder');
  });
});
