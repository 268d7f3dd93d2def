import { FILES_LIMITS } from '../../../contracts/agent-protocol/files-frames';

/** The agent's own limits for the files channel (reported to the viewer in `places`). */
export interface FilesConfig {
  /** Largest upload, bytes (`FILES_MAX_UPLOAD_MB`, default 2048 MiB). */
  maxUploadBytes: number;
  /** Uploads and downloads in flight per files channel (`FILES_MAX_TRANSFERS`, 1–4, default 4). */
  maxTransfers: number;
}

export const DEFAULT_FILES_MAX_UPLOAD_MB = 2048;
/** The largest `FILES_MAX_UPLOAD_MB` accepted: 1 TiB. */
export const MAX_FILES_MAX_UPLOAD_MB = 1024 * 1024;
const MIB = 1024 * 1024;

/** Settings as the agent reads them: agent.json fields (persistent) over environment variables. */
export interface FilesSettings {
  maxUploadMb?: unknown;
  maxTransfers?: unknown;
}

function wholeNumber(value: unknown, min: number, max: number): number | undefined {
  const n = typeof value === 'string' && /^\d{1,9}$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}

/**
 * The files limits from agent.json (`filesMaxUploadMb`, `filesMaxTransfers`), else the environment
 * (`FILES_MAX_UPLOAD_MB`, `FILES_MAX_TRANSFERS`), else the defaults. A value out of range is ignored
 * (with a warning from the caller), never widened past the protocol's own limits.
 */
export function filesConfig(
  settings: FilesSettings = {},
  env: NodeJS.ProcessEnv = process.env,
  warn: (line: string) => void = () => undefined,
): FilesConfig {
  const pick = (
    name: string,
    fromJson: unknown,
    fromEnv: unknown,
    min: number,
    max: number,
    fallback: number,
  ) => {
    for (const value of [fromJson, fromEnv]) {
      if (value === undefined || value === '') continue;
      const n = wholeNumber(value, min, max);
      if (n !== undefined) return n;
      warn(`${name} must be a whole number from ${min} to ${max}; using ${fallback}`);
      return fallback;
    }
    return fallback;
  };
  const mb = pick(
    'FILES_MAX_UPLOAD_MB',
    settings.maxUploadMb,
    env.FILES_MAX_UPLOAD_MB,
    0,
    MAX_FILES_MAX_UPLOAD_MB,
    DEFAULT_FILES_MAX_UPLOAD_MB,
  );
  const transfers = pick(
    'FILES_MAX_TRANSFERS',
    settings.maxTransfers,
    env.FILES_MAX_TRANSFERS,
    1,
    FILES_LIMITS.maxTransfers,
    FILES_LIMITS.maxTransfers,
  );
  return { maxUploadBytes: mb * MIB, maxTransfers: transfers };
}
