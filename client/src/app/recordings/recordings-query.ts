/*
 * The Recordings page's filters as its query string carries them (so a filtered list can be linked to,
 * from a session or a device, and reloaded). The values are untrusted: unknown enum values are dropped,
 * text is trimmed and bounded, the offset is a whole number within the API's limit. Plain TypeScript
 * without Angular, so a unit test can import it.
 */
import {
  RECORDED_CHANNELS,
  RECORDING_INTEGRITY,
  RECORDING_LIMITS,
  RECORDING_STATUSES,
  type ListRecordingsQuery,
  type RecordedChannel,
  type RecordingIntegrityState,
  type RecordingStatus,
} from '../../../../contracts/api/recordings';

/** What the page reads from (Angular's ParamMap, URLSearchParams). */
export interface QueryValues {
  get(key: string): string | null;
}

const TEXT_MAX = 100;

export function recordingsQuery(params: QueryValues): ListRecordingsQuery {
  const pick = <T extends string>(key: string, allowed: readonly T[]): T | undefined => {
    const v = params.get(key);
    return v !== null && (allowed as readonly string[]).includes(v) ? (v as T) : undefined;
  };
  const text = (key: string): string | undefined => params.get(key)?.trim().slice(0, TEXT_MAX) || undefined;
  const instant = (key: string): string | undefined => {
    const v = text(key);
    return v !== undefined && !Number.isNaN(Date.parse(v)) ? v : undefined;
  };
  const hold = params.get('legalHold');
  const offset = Number(params.get('offset') ?? 0);
  return {
    channel: pick<RecordedChannel>('channel', RECORDED_CHANNELS),
    status: pick<RecordingStatus>('status', RECORDING_STATUSES),
    integrity: pick<RecordingIntegrityState>('integrity', RECORDING_INTEGRITY),
    legalHold: hold === 'true' ? true : hold === 'false' ? false : undefined,
    technicianId: text('technicianId'),
    deviceId: text('deviceId'),
    sessionId: text('sessionId'),
    from: instant('from'),
    to: instant('to'),
    offset:
      Number.isSafeInteger(offset) && offset > 0 ? Math.min(offset, RECORDING_LIMITS.offsetMax) : undefined,
  };
}

/** What the list shows now, for {@link hasNextPage}. */
export interface ListPage {
  offset: number;
  /** Items on this page. */
  shown: number;
  pageSize: number;
  /** The total the API counted (a lower bound when `totalCapped`). */
  total: number;
  totalCapped: boolean;
}

/**
 * Whether a next page exists and can be asked for: more items than shown so far, and a next offset
 * within the API's limit (`RECORDING_LIMITS.offsetMax`; past it the offset would be capped and the
 * same page come back for ever). Narrower filters reach the rest.
 */
export function hasNextPage(page: ListPage): boolean {
  if (page.offset + page.pageSize > RECORDING_LIMITS.offsetMax) return false;
  return page.offset + page.shown < page.total || (page.totalCapped && page.shown === page.pageSize);
}
