import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { SupportNoteDto, SupportSessionDto } from './dto/support-session.dto';
import type { SupportSessionNote } from './entities/support-session-note.entity';
import type { SupportSession } from './entities/support-session.entity';
import { SupportTokenCipher } from './support-token-cipher';

/**
 * Maps loaded sessions (see SupportSessionQueries) and their notes to DTOs; it reads nothing itself.
 * These are whole (link, notes): pass them through viewSupportSession before they leave the portal.
 */
@Injectable()
export class SupportSessionMapper {
  constructor(
    private readonly cipher: SupportTokenCipher,
    private readonly config: AppConfig,
  ) {}

  /** `notes` may hold those of other sessions too (one query for a page); each session gets its own. */
  toDtos(rows: SupportSession[], notes: SupportSessionNote[]): SupportSessionDto[] {
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
