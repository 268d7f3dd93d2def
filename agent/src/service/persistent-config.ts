import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseRegisterResponse, type RegisterResponse } from '../../../contracts/agent-protocol/registration';
import { CONSENT_POLICIES, type ConsentPolicy } from '../../../contracts/agent-protocol/enums';
import { VALUE_PATTERNS } from '../../../contracts/installer-template';

/** The persistent agent's settings, owned by the device's administrator (`agent.json`). */
export interface PersistentConfig {
  portalUrl: string;
  brand: string;
  credentialFile: string;
  vncHost: string;
  vncPort: number;
  startVnc: boolean;
  /** The administrator's kill switch: refuses every mutating action while true. */
  killSwitch: boolean;
  /**
   * How the person at the device is asked before a channel opens (`ask`, `notify`, `silent`). The
   * agent applies the stricter of this and the portal's per-device policy, so `silent` needs both.
   */
  consent: ConsentPolicy;
  /** The files channel's largest upload in MiB (over FILES_MAX_UPLOAD_MB), when set. */
  filesMaxUploadMb?: unknown;
  /** Transfers in flight per session on the files channel (1–4), when set. */
  filesMaxTransfers?: unknown;
}

export function readPersistentConfig(file: string): PersistentConfig {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<PersistentConfig>;
  const fail = (what: string): never => {
    throw new Error(`${file}: ${what}`);
  };
  if (typeof raw.portalUrl !== 'string' || !VALUE_PATTERNS.portalUrl.test(raw.portalUrl))
    fail('portalUrl is missing or invalid');
  if (raw.consent !== undefined && !(CONSENT_POLICIES as readonly unknown[]).includes(raw.consent))
    fail(`consent must be one of ${CONSENT_POLICIES.join(', ')}`);
  if (typeof raw.credentialFile !== 'string' || !raw.credentialFile.startsWith('/')) {
    if (!(typeof raw.credentialFile === 'string' && /^[A-Za-z]:\\/.test(raw.credentialFile)))
      fail('credentialFile is missing');
  }
  return {
    portalUrl: raw.portalUrl as string,
    brand:
      typeof raw.brand === 'string' && VALUE_PATTERNS.brandName.test(raw.brand)
        ? raw.brand
        : 'Remote support',
    credentialFile: raw.credentialFile as string,
    vncHost: typeof raw.vncHost === 'string' ? raw.vncHost : '127.0.0.1',
    vncPort: Number.isInteger(raw.vncPort) ? (raw.vncPort as number) : 5900,
    startVnc: raw.startVnc === true,
    killSwitch: raw.killSwitch === true,
    consent: raw.consent ?? 'ask',
    ...(raw.filesMaxUploadMb !== undefined && { filesMaxUploadMb: raw.filesMaxUploadMb }),
    ...(raw.filesMaxTransfers !== undefined && { filesMaxTransfers: raw.filesMaxTransfers }),
  };
}

export function readCredential(file: string): RegisterResponse {
  const parsed = parseRegisterResponse(readFileSync(file, 'utf8'));
  if (!parsed.ok) throw new Error(`${file} does not hold a valid device credential (${parsed.error})`);
  return parsed.value;
}

/** Writes a file only its owner (root/SYSTEM) can read, creating its folder owner-only as well. */
export async function writePrivateFile(file: string, content: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, content, { mode: 0o600 });
}
