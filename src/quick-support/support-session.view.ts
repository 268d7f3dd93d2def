import { managesSupportSession } from '../access/access-rules';
import type { AuthUser } from '../common/auth-user';
import type { SupportSessionDto } from './dto/support-session.dto';

/**
 * A session as one technician may see it. The owner (see supportSessionOwnerId) and admins get it
 * whole; every other technician sees it in the team queue without the customer link, the private
 * note and the customer's notes, and with `canManage: false`. Every session DTO that leaves the
 * portal (responses and the live stream) passes through here.
 */
export function viewSupportSession(viewer: AuthUser, dto: SupportSessionDto): SupportSessionDto {
  const owner = { assignedToId: dto.assignedTo?.id ?? null, createdById: dto.createdBy?.id ?? null };
  if (managesSupportSession(viewer, owner)) return { ...dto, canManage: true };
  return { ...dto, url: null, note: null, notes: [], canManage: false };
}
