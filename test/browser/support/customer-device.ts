import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type TestAgent from 'supertest/lib/agent';
import { quickRunCommand } from '../../../src/installers/install-commands';
import { customerHome, fakeSudoDir } from '../../agent/support/agent-env';
import { ScriptRun, eventually as poll } from '../../agent/support/script-run';
import { USER_AGENTS } from '../../support/quick-support-factories';
import type { RemoteStack } from './remote-stack';

/**
 * The customer's side of a quick-support session in the browser suites: the Linux script downloaded
 * for the support session, run in a real terminal (a PTY) in a scratch home with the fake sudo first
 * on PATH, exactly as the connect page tells a customer to; the consent prompt answered as the suite
 * asks; and the device the agent registered, once it is online.
 */

/** The customer's computer: a scratch home (with Downloads and a TMPDIR) and the fake sudo's folder. */
export interface CustomerMachine {
  home: string;
  downloads: string;
  tmp: string;
  /** The suite's scratch folder (the fake sudo lives in it). */
  scratch: string;
}

/** A customer's computer in the suite's scratch folder (`<scratch>/customer`). */
export function customerMachine(scratch: string): CustomerMachine {
  return { ...customerHome(scratch, 'customer'), scratch };
}

/** The script's name as the connect page offers it (and the command the customer pastes runs). */
export const SCRIPT = 'kwgroup-quicksupport';
/** What the script prints once the agent is connected to the portal. */
export const CONNECTED = /Connected\. Waiting for a technician/;
/** The terminal's consent prompt; pressing A allows the channel for the whole session. */
export const ALLOW_FOR_SESSION = /A to allow for this session/;

/** Saves the support session's Linux script into the customer's Downloads, fetched as a Linux browser does. */
export async function downloadScript(
  baseUrl: string,
  supportPath: string,
  customer: CustomerMachine,
): Promise<void> {
  const download = await fetch(`${baseUrl}${supportPath}/download/linux`, {
    headers: { 'user-agent': USER_AGENTS.linux },
  });
  expect(download.status).toBe(200);
  writeFileSync(join(customer.downloads, `${SCRIPT}.sh`), Buffer.from(await download.arrayBuffer()));
}

/**
 * The customer's terminal environment: this process's, with the fake sudo first on PATH, the scratch
 * HOME and TMPDIR, and no DISPLAY unless `extra` gives one (with QS_VNC_PORT…).
 */
export function customerEnv(
  customer: CustomerMachine,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${fakeSudoDir(customer.scratch)}:${process.env.PATH ?? ''}`,
    HOME: customer.home,
    TMPDIR: customer.tmp,
  };
  delete env.DISPLAY;
  return { ...env, ...extra };
}

/**
 * Runs the downloaded script in a terminal with the one-line command the portal shows. With
 * `allowForSession` the customer presses A at every consent prompt in the terminal; without it the
 * suite answers them itself.
 */
export function runScript(
  customer: CustomerMachine,
  env: NodeJS.ProcessEnv,
  opts: { allowForSession: boolean },
): ScriptRun {
  const run = new ScriptRun(['-c', quickRunCommand(SCRIPT, 'linux')], env, customer.home, { terminal: true });
  if (opts.allowForSession) run.answerEvery(ALLOW_FOR_SESSION, 'a');
  return run;
}

/** The device online in the technician's device list (the suites have one device at a time). */
export async function onlineDevice(api: TestAgent): Promise<{ id: string; hostname: string }> {
  return poll(async () => {
    const devices = (await api.get('/api/devices').expect(200)).body.items as {
      id: string;
      hostname: string;
      online: boolean;
    }[];
    return devices.find((d) => d.online);
  }, 'the device online');
}

/**
 * The whole of it: the customer downloads the script of the support session at `supportPath` and
 * runs it (`env`: see {@link customerEnv}; `allowForSession`: see {@link runScript}); once it says
 * it is connected, the device is found online as the technician (`api`) sees it.
 */
export async function startCustomerDevice(
  stack: RemoteStack,
  supportPath: string,
  api: TestAgent,
  customer: CustomerMachine,
  opts: { env?: Record<string, string>; allowForSession: boolean },
): Promise<{ run: ScriptRun; device: { id: string; hostname: string } }> {
  await downloadScript(stack.portal.baseUrl, supportPath, customer);
  const run = runScript(customer, customerEnv(customer, opts.env), opts);
  await run.waitFor(CONNECTED);
  return { run, device: await onlineDevice(api) };
}
