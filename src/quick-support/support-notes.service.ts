import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { SupportNoteDto } from './dto/support-session.dto';
import { QuickSupportEvents } from './quick-support-events';
import { quickSupportErrors as errors } from './quick-support.errors';
import { SupportSessionMapper } from './support-session.mapper';
import { SupportSessionQueries } from './support-session.queries';

/** Most notes one session keeps, so a link holder cannot fill the database. */
export const MAX_NOTES_PER_SESSION = 50;

/** One-way customer notes: written on the public connect page, shown to technicians in the queue. */
@Injectable()
export class SupportNotesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queries: SupportSessionQueries,
    private readonly audit: AuditService,
    private readonly events: QuickSupportEvents,
  ) {}

  /** Adds a note to an open session. The count is checked under the session's row lock. */
  async addCustomerNote(sessionId: string, body: string): Promise<SupportNoteDto> {
    const note = await this.dataSource.transaction(async (m) => {
      const open = await this.queries.lockOwner(sessionId, m, { openOnly: true });
      if (!open) return null;
      const ownerId = open.owner;
      if ((await this.queries.countNotes(sessionId, m)) >= MAX_NOTES_PER_SESSION) throw errors.tooManyNotes();
      const saved = await this.queries.insertNote(sessionId, body, m);
      await this.audit.record(
        {
          actorType: 'customer',
          action: 'support_session.note_added',
          targetType: 'support_session',
          targetId: sessionId,
          details: { noteId: saved.id, length: body.length },
        },
        m,
      );
      return { saved, ownerId };
    });
    if (!note) throw new NoteTargetGone();
    const dto = SupportSessionMapper.noteDto(note.saved);
    this.events.publish({ type: 'note.added', sessionId, ownerId: note.ownerId, note: dto });
    return dto;
  }

  /** The latest notes of a session, oldest first (for the customer's own page). */
  async recent(sessionId: string, limit = 20): Promise<SupportNoteDto[]> {
    const rows = await this.queries.recentNotes(sessionId, limit);
    return rows.map((n) => SupportSessionMapper.noteDto(n));
  }
}

/** The session ended between the page's lookup and the note's insert; callers answer as for an unknown link. */
export class NoteTargetGone extends Error {
  constructor() {
    super('The support session is no longer open.');
    this.name = 'NoteTargetGone';
  }
}
