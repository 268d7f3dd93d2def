import type { RecordingBreakReason } from '../../contracts/api/recordings';
import { DomainError, ErrorCode } from '../common/domain-error';

export const recordingErrors = {
  /** Unknown, malformed, being purged, or another technician's: alike. */
  notFound: () => new DomainError(ErrorCode.RecordingNotFound, 'There is no such recording.'),
  chunkNotFound: () =>
    new DomainError(ErrorCode.RecordingNotFound, 'This recording has no such chunk (past its playable end).'),
  broken: (brokenAt: number, reason: RecordingBreakReason) =>
    new DomainError(
      ErrorCode.RecordingBroken,
      `This recording cannot be trusted from chunk ${brokenAt} on (${reason}); it is not served past that point.`,
      { 'X-Recording-Broken-At': String(brokenAt) },
    ),
  storeUnavailable: () =>
    new DomainError(
      ErrorCode.Unavailable,
      'The recordings store cannot be read right now. Try again shortly.',
    ),
  badChunkIndex: () =>
    new DomainError(ErrorCode.ValidationFailed, 'index must be a whole number from 0 to 99999'),
  sessionNotFound: () => new DomainError(ErrorCode.NotFound, 'There is no such remote session.'),
  invalidFromTo: () => new DomainError(ErrorCode.ValidationFailed, 'from must be earlier than to'),
};
