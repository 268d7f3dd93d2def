import { rm } from 'node:fs/promises';
import { safe, type AgentLogger } from '../core/logger';

/** An upload's temporary file, kept for a resume when the relay socket dropped mid-upload. */
export interface Partial {
  sessionId: string;
  resumeKey: string;
  /** The folder and name the upload goes to, and its announced size: a resume must name the same. */
  dir: string;
  name: string;
  size: number;
  /** The temporary file (`.<name>.<resumeKey>.qspart` in `dir`). */
  tempPath: string;
  /** An upload is writing it now (on some channel of the session). */
  active: boolean;
  /**
   * The file the agent created (its device, inode and owner, from the open handle): a resume reopens
   * the name and goes on only when it is still that very file, with no other name.
   */
  dev: number;
  ino: number;
  uid: number;
}

/**
 * Every upload's temporary file, per session. A partial outlives its channel only when the relay socket
 * dropped mid-upload (so a new files channel of the same session can resume it); every one of a session
 * is deleted when the session ends, and all of them when the agent exits: the agent leaves no file of
 * its own behind.
 */
export class PartialStore {
  private readonly partials = new Map<string, Partial>();

  constructor(private readonly logger: AgentLogger) {}

  private static key(sessionId: string, resumeKey: string): string {
    return `${sessionId}/${resumeKey}`;
  }

  get(sessionId: string, resumeKey: string): Partial | undefined {
    return this.partials.get(PartialStore.key(sessionId, resumeKey));
  }

  add(partial: Partial): void {
    this.partials.set(PartialStore.key(partial.sessionId, partial.resumeKey), partial);
  }

  /** The upload finished (renamed into place): nothing to delete. */
  forget(partial: Partial): void {
    const k = PartialStore.key(partial.sessionId, partial.resumeKey);
    if (this.partials.get(k) === partial) this.partials.delete(k);
  }

  /** Deletes one partial's file and forgets it. */
  async discard(partial: Partial): Promise<void> {
    this.forget(partial);
    await this.remove(partial.tempPath);
  }

  /** The session ended: every partial it kept goes. */
  async discardSession(sessionId: string): Promise<void> {
    await Promise.all(
      [...this.partials.values()].filter((p) => p.sessionId === sessionId).map((p) => this.discard(p)),
    );
  }

  /** The agent is exiting. */
  async discardAll(): Promise<void> {
    await Promise.all([...this.partials.values()].map((p) => this.discard(p)));
  }

  get size(): number {
    return this.partials.size;
  }

  private async remove(path: string): Promise<void> {
    try {
      await rm(path, { force: true });
    } catch (err) {
      this.logger.warn(`could not remove a partial upload ${safe(path)}: ${safe(err)}`);
    }
  }
}
