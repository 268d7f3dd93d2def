import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { SUPPORT_SESSION_OWNER_SQL } from '../access/access-rules';
import { AuditService } from '../audit/audit.service';
import { SupportNoteDto } from './dto/support-session.dto';
import { SupportSessionNote } from './entities/support-session-note.entity';
import { QuickSupportEvents } from './quick-support-events';
import { quickSupportErrors as errors } from './quick-support.errors';
import { SupportSessionMapper } from './support-session.mapper';

/** Most notes one session keeps, so a link holder cannot fill the database. */
export const MAX_NOTES_PER_SESSION = 50;

/** One-way customer notes: written on the public connect page, shown to technicians in the queue. */
@Injectable()
export class SupportNotesService {
  constructor(
    @InjectRepository(SupportSessionNote) private readonly notes: Repository<SupportSessionNote>,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly events: QuickSupportEvents,
  ) {}

  /** Adds a note to an open session. The count is checked under the session's row lock. */
  async addCustomerNote(sessionId: string, body: string): Promise<SupportNoteDto> {
    const note = await this.dataSource.transaction(async (m) => {
      const open = await m.query<{ owner: string | null }[]>(
        `SELECT ${SUPPORT_SESSION_OWNER_SQL('s')} AS owner FROM support_sessions s
          WHERE s.id = $1 AND s.status <> 'ended' AND s.expires_at > now() FOR UPDATE`,
        [sessionId],
      );
      if (!open[0]) return null;
      const ownerId = open[0].owner;
      const count = await m.getRepository(SupportSessionNote).count({ where: { sessionId } });
      if (count >= MAX_NOTES_PER_SESSION) throw errors.tooManyNotes();
      const repo = m.getRepository(SupportSessionNote);
      const saved = await repo.save(repo.create({ sessionId, body }));
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
    const rows = await this.notes.find({ where: { sessionId }, order: { createdAt: 'DESC' }, take: limit });
    return rows.reverse().map((n) => SupportSessionMapper.noteDto(n));
  }
}

/** The session ended between the page's lookup and the note's insert; callers answer as for an unknown link. */
export class NoteTargetGone extends Error {
  constructor() {
    super('The support session is no longer open.');
    this.name = 'NoteTargetGone';
  }
}
