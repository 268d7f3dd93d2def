import { rm } from 'node:fs/promises';
import type { AgentLogger } from './logger';
import { safe } from './logger';

/**
 * Every file and folder the agent (or its install script) wrote, so a quick-support agent can delete
 * them all when it ends. Paths are removed newest first; a folder goes with everything inside it.
 */
export class FileTracker {
  private readonly paths: string[] = [];

  constructor(private readonly logger: AgentLogger) {}

  track(path: string): void {
    if (!this.paths.includes(path)) this.paths.push(path);
  }

  get tracked(): readonly string[] {
    return this.paths;
  }

  /** Removes everything tracked; returns the paths that could not be removed. */
  async removeAll(): Promise<string[]> {
    const failed: string[] = [];
    for (const path of [...this.paths].reverse()) {
      try {
        await rm(path, { recursive: true, force: true });
      } catch (err) {
        this.logger.warn(`could not remove ${safe(path)}: ${safe(err)}`);
        failed.push(path);
      }
    }
    this.paths.length = 0;
    return failed;
  }
}
