import { Injectable, Logger } from '@nestjs/common';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { BRAND_LOGO_MAX_BYTES, BRAND_LOGO_PATH, type BrandingBody } from '../../contracts/api/branding';
import { readableTextOn } from '../../contracts/brand-colors';
import { AppConfig } from '../config/app-config';

/** A logo file the portal may serve, read whole (it is small). */
export interface LogoFile {
  readonly body: Buffer;
  readonly contentType: 'image/svg+xml' | 'image/png';
}

/** The files looked for in DATA_DIR/brand, in this order. */
const LOGO_FILES = [
  { name: 'logo.svg', contentType: 'image/svg+xml', looksRight: isSvg },
  { name: 'logo.png', contentType: 'image/png', looksRight: isPng },
] as const;

/**
 * The configured brand: name and colours from the environment (with the readable text colour for
 * each), and the optional logo, either BRAND_LOGO_URL or a file an operator drops into
 * DATA_DIR/brand (read at each request, so a new logo shows without a restart).
 */
@Injectable()
export class BrandingService {
  private readonly logger = new Logger(BrandingService.name);
  /** The refused files already logged (a refused file would otherwise be logged at every request). */
  private readonly warned = new Set<string>();

  constructor(private readonly config: AppConfig) {}

  async branding(): Promise<BrandingBody> {
    const { name, primaryColor, accentColor } = this.config.brand;
    return {
      name,
      primaryColor: primaryColor.toLowerCase(),
      onPrimaryColor: readableTextOn(primaryColor),
      accentColor: accentColor.toLowerCase(),
      onAccentColor: readableTextOn(accentColor),
      logoUrl: await this.logoUrl(),
    };
  }

  /** Where pages load the logo from, or null when there is none. */
  async logoUrl(): Promise<string | null> {
    if (this.config.brand.logoUrl) return this.config.brand.logoUrl;
    return (await this.logoFile()) ? BRAND_LOGO_PATH : null;
  }

  /**
   * DATA_DIR/brand/logo.svg or logo.png, when it is a regular file of at most
   * {@link BRAND_LOGO_MAX_BYTES} whose content matches its type; null otherwise (a refused file is
   * logged once, by name and reason).
   */
  async logoFile(): Promise<LogoFile | null> {
    for (const candidate of LOGO_FILES) {
      const path = join(this.config.dataDir, 'brand', candidate.name);
      let handle;
      try {
        handle = await open(path, 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        this.refuse(path, `it cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
        continue;
      }
      try {
        const stat = await handle.stat();
        if (!stat.isFile()) {
          this.refuse(path, 'it is not a regular file');
          continue;
        }
        if (stat.size > BRAND_LOGO_MAX_BYTES) {
          this.refuse(path, `it is larger than ${BRAND_LOGO_MAX_BYTES / 1024} KiB`);
          continue;
        }
        const body = await handle.readFile();
        if (body.length > BRAND_LOGO_MAX_BYTES || !candidate.looksRight(body)) {
          this.refuse(path, `its content is not ${candidate.contentType}`);
          continue;
        }
        this.warned.delete(path);
        return { body, contentType: candidate.contentType };
      } finally {
        await handle.close();
      }
    }
    return null;
  }

  private refuse(path: string, reason: string): void {
    if (this.warned.has(path)) return;
    this.warned.add(path);
    this.logger.warn(`The logo ${path} is not served: ${reason}.`);
  }
}

function isPng(body: Buffer): boolean {
  return body.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
}

/** An XML declaration, comments or a doctype may come first; the root must be <svg. */
function isSvg(body: Buffer): boolean {
  const head = body.subarray(0, 4096).toString('utf8');
  return /^(\uFEFF)?\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]/i.test(head);
}
