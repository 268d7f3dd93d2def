import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../src/version';

/** Builds the agent bundle into `dir` (not dist/, which other suites may be reading) and returns its path. */
export function buildAgentBundle(dir: string): string {
  const out = join(dir, 'agent.js');
  execFileSync(process.execPath, [join(PROJECT_ROOT, 'agent', 'build.mjs'), out], { stdio: 'ignore' });
  return out;
}

/**
 * A `sudo` for machines without one (the tests run as root): it runs the command as is, so the exact
 * one-line commands the portal shows (`sudo bash ~/Downloads/…`) can be run verbatim.
 */
export function fakeSudoDir(dir: string): string {
  const bin = join(dir, 'fake-sudo-bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'sudo'), '#!/bin/sh\nexec "$@"\n');
  chmodSync(join(bin, 'sudo'), 0o755);
  return bin;
}

/** A scratch home with a Downloads folder and a private TMPDIR for the install script. */
export function customerHome(root: string, name: string): { home: string; downloads: string; tmp: string } {
  const home = join(root, name, 'home');
  const downloads = join(home, 'Downloads');
  const tmp = join(root, name, 'tmp');
  for (const d of [downloads, tmp]) mkdirSync(d, { recursive: true });
  return { home, downloads, tmp };
}
