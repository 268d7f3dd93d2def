import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InstallerOs, TEMPLATE_FILES } from '../../contracts/installer-template';
import { AppConfig } from '../config/app-config';
import { installerErrors as errors } from './installers.errors';

interface Bundle {
  mtimeMs: number;
  size: number;
  b64: string;
  sha256: string;
}

/**
 * The agent's build outputs the install scripts are made of: the bundle (dist/agent/agent.js, cached
 * until it changes on disk) and the per-OS templates. Missing files answer 503 `agent_not_built`.
 */
@Injectable()
export class AgentAssets {
  private cached: Bundle | undefined;

  constructor(private readonly config: AppConfig) {}

  async bundle(): Promise<{ b64: string; sha256: string }> {
    const path = this.config.installers.bundlePath;
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) throw errors.agentNotBuilt();
    if (this.cached && this.cached.mtimeMs === info.mtimeMs && this.cached.size === info.size)
      return this.cached;
    const bytes = await readFile(path);
    this.cached = {
      mtimeMs: info.mtimeMs,
      size: info.size,
      b64: bytes.toString('base64'),
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
    return this.cached;
  }

  async template(os: InstallerOs): Promise<string> {
    const path = join(this.config.installers.templateDir, TEMPLATE_FILES[os]);
    const text = await readFile(path, 'utf8').catch(() => null);
    if (text === null) throw errors.agentNotBuilt();
    return text;
  }
}
