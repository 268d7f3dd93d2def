import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository, SelectQueryBuilder } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { SupportNoteDto, SupportSessionDto } from './dto/support-session.dto';
import { SupportSessionNote } from './entities/support-session-note.entity';
import { SupportSession } from './entities/support-session.entity';
import { SupportTokenCipher } from './support-token-cipher';

/**
 * Loads sessions with what the dashboard shows beside them and maps them to DTOs. These are whole
 * (link, notes): pass them through viewSupportSession before they leave the portal.
 */
@Injectable()
export class SupportSessionMapper {
  constructor(
    @InjectRepository(SupportSession) private readonly sessions: Repository<SupportSession>,
    @InjectRepository(SupportSessionNote) private readonly notes: Repository<SupportSessionNote>,
    private readonly cipher: SupportTokenCipher,
    private readonly config: AppConfig,
  ) {}

  /** Sessions joined with their technicians (id and name only) and device. */
  query(m?: EntityManager): SelectQueryBuilder<SupportSession> {
    const repo = m ? m.getRepository(SupportSession) : this.sessions;
    return repo
      .createQueryBuilder('s')
      .addSelect('s.tokenCiphertext')
      .leftJoin('s.createdBy', 'cb')
      .addSelect(['cb.id', 'cb.displayName'])
      .leftJoin('s.assignedTo', 'at')
      .addSelect(['at.id', 'at.displayName'])
      .leftJoinAndSelect('s.device', 'd');
  }

  async loadDto(id: string): Promise<SupportSessionDto | null> {
    const row = await this.query().where('s.id = :id', { id }).getOne();
    return row ? ((await this.toDtos([row]))[0] ?? null) : null;
  }

  async toDtos(rows: SupportSession[]): Promise<SupportSessionDto[]> {
    const ids = rows.map((r) => r.id);
    const notes = ids.length
      ? await this.notes.find({ where: { sessionId: In(ids) }, order: { createdAt: 'ASC' } })
      : [];
    const bySession = new Map<string, SupportNoteDto[]>();
    for (const n of notes) {
      const list = bySession.get(n.sessionId) ?? [];
      list.push(SupportSessionMapper.noteDto(n));
      bySession.set(n.sessionId, list);
    }
    return rows.map((s) => this.toDto(s, bySession.get(s.id) ?? []));
  }

  publicUrl(token: string): string {
    return `${this.config.portalOrigin}/support/connect/${token}`;
  }

  static noteDto(n: SupportSessionNote): SupportNoteDto {
    return { id: n.id, body: n.body, createdAt: n.createdAt.toISOString() };
  }

  private toDto(s: SupportSession, notes: SupportNoteDto[]): SupportSessionDto {
    const token = s.status === 'ended' ? null : this.cipher.decrypt(s.tokenCiphertext);
    const d = s.device;
    return {
      id: s.id,
      status: s.status,
      customerName: s.customerName,
      note: s.note,
      url: token ? this.publicUrl(token) : null,
      createdAt: s.createdAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
      activatedAt: s.activatedAt ? s.activatedAt.toISOString() : null,
      endedAt: s.endedAt ? s.endedAt.toISOString() : null,
      endReason: s.endReason,
      createdBy: s.createdBy ? { id: s.createdBy.id, displayName: s.createdBy.displayName } : null,
      assignedTo: s.assignedTo ? { id: s.assignedTo.id, displayName: s.assignedTo.displayName } : null,
      device: d
        ? {
            id: d.id,
            hostname: d.hostname,
            os: d.os,
            osVersion: d.osVersion,
            arch: d.arch,
            online: d.online && d.revokedAt === null,
          }
        : null,
      notes,
      canManage: true,
    };
  }
}
