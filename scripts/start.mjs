#!/usr/bin/env node
// `npm start`: build whatever is missing, then run the portal and the relay together on the embedded
// PostgreSQL (unless DATABASE_URL is set). Ctrl-C or SIGTERM stops both, database included.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const builds = [
  {
    what: 'server',
    check: [
      'dist/src/main.js',
      'dist/relay/main.js',
      'dist/src/quick-support/connect/client/connect-page.client.js',
    ],
    script: 'build:server',
  },
  { what: 'agent', check: ['dist/agent/agent.js'], script: 'build:agent' },
  { what: 'dashboard', check: ['dist/client/browser/index.html'], script: 'build:client' },
];
for (const b of builds) {
  if (b.check.every((f) => existsSync(join(root, f)))) continue;
  console.log(`Building the ${b.what} (first start only)…`);
  const r = spawnSync(npm, ['run', '--silent', b.script], { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    console.error(`Building the ${b.what} failed (npm run ${b.script}).`);
    process.exit(r.status ?? 1);
  }
}

const env = { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'development' };
const children = new Map();
let stopping = false;

function run(name, file) {
  const child = spawn(process.execPath, [join(root, file)], { cwd: root, env, stdio: 'inherit' });
  children.set(name, child);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      console.error(
        `The ${name} stopped unexpectedly (${signal ?? `exit code ${code}`}); stopping everything.`,
      );
      stop('SIGTERM', 1);
    } else if (children.size === 0) {
      process.exit(exitCode);
    }
  });
}

let exitCode = 0;
function stop(signal, code = 0) {
  if (stopping) return;
  stopping = true;
  exitCode = code;
  for (const child of children.values()) child.kill(signal);
  if (children.size === 0) process.exit(code);
  // Children stop within their own grace periods; never hang here forever.
  setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
    process.exit(code || 1);
  }, 20_000).unref();
}

for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => stop(s === 'SIGHUP' ? 'SIGTERM' : s));
// If whatever started us (npm) dies without passing a signal on, stop rather than run on orphaned.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop('SIGTERM');
}, 1000).unref();
run('relay', 'dist/relay/main.js');
run('portal', 'dist/src/main.js');
