/* How a recording's status and integrity show as pills (shared/status-pill.component.ts). */
import type { RecordingIntegrityState, RecordingStatus } from '../../../../contracts/api/recordings';
import type { StatusPill } from '../shared/status-pill.component';
import { STATUS_LABELS } from './recording-text';

export const STATUS_PILLS: Readonly<Record<RecordingStatus, StatusPill>> = {
  recording: { label: STATUS_LABELS.recording, tone: 'pending' },
  complete: { label: STATUS_LABELS.complete, tone: 'success' },
  incomplete: { label: STATUS_LABELS.incomplete, tone: 'warning' },
  failed: { label: STATUS_LABELS.failed, tone: 'warning' },
};

export const INTEGRITY_TONES: Readonly<Record<RecordingIntegrityState, StatusPill['tone']>> = {
  verified: 'success',
  broken: 'warning',
  unchecked: 'neutral',
};
