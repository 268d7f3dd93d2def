import { Injectable, Logger } from '@nestjs/common';
import { DEFAULT_LANGUAGE, type Language } from '../../contracts/i18n/language';
import type { InstallerMode, InstallerOs } from '../../contracts/installer-template';
import { AppConfig } from '../config/app-config';
import { AgentAssets } from './agent-assets';
import { InstallerTokensService, MintedToken } from './installer-tokens.service';
import { installerErrors as errors } from './installers.errors';
import { InstallerRenderError, renderInstallerTemplate, scriptBrandName } from './template-renderer';

export interface RenderedInstaller extends MintedToken {
  script: string;
}

/** Mints installer tokens and renders the per-OS script around them. */
@Injectable()
export class InstallersService {
  private readonly logger = new Logger(InstallersService.name);

  constructor(
    private readonly tokens: InstallerTokensService,
    private readonly assets: AgentAssets,
    private readonly config: AppConfig,
  ) {}

  /**
   * One download for a quick-support session: a fresh token and the script embedding it. `language`
   * is the customer's (from the connect page): the agent speaks it in their console.
   */
  async renderForSession(
    sessionId: string,
    os: InstallerOs,
    language: Language = DEFAULT_LANGUAGE,
  ): Promise<RenderedInstaller> {
    await this.assertAvailable(os);
    const minted = await this.tokens.mintForSession(sessionId, os);
    return { ...minted, script: await this.render(os, 'quick', minted.token, language) };
  }

  /** The persistent-agent script for a token an admin minted (fetched by the install command). */
  async renderPersistent(os: InstallerOs, token: string): Promise<string> {
    return this.render(os, 'persistent', token, DEFAULT_LANGUAGE);
  }

  /** Throws 503 before anything is minted when the agent has not been built. */
  async assertAvailable(os: InstallerOs): Promise<void> {
    await Promise.all([this.assets.bundle(), this.assets.template(os)]);
  }

  private async render(
    os: InstallerOs,
    mode: InstallerMode,
    token: string,
    language: Language,
  ): Promise<string> {
    const [bundle, template] = await Promise.all([this.assets.bundle(), this.assets.template(os)]);
    try {
      return renderInstallerTemplate(template, {
        portalUrl: this.config.portalOrigin,
        installerToken: token,
        brandName: scriptBrandName(this.config.brand.name),
        mode,
        language,
        agentBundleB64: bundle.b64,
        agentSha256: bundle.sha256,
        nodeMirrorUrl: this.config.installers.nodeMirrorUrl,
      });
    } catch (err) {
      if (!(err instanceof InstallerRenderError)) throw err;
      this.logger.error(`Refused to render the ${os} install script: ${err.problem}`);
      throw errors.renderRefused(
        err.problem.startsWith('portalUrl')
          ? 'PORTAL_ORIGIN is not usable in a script'
          : 'see the portal log',
      );
    }
  }
}
