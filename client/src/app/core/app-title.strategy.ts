import { inject, Injectable } from '@angular/core';
import { Title } from '@angular/platform-browser';
import { RouterStateSnapshot, TitleStrategy } from '@angular/router';

import { BrandingService } from './branding.service';
import { isMessageKey, t } from './i18n/i18n';

/** Browser tab title: "<page> · <BRAND_NAME>"; route titles are message keys (core/i18n). */
@Injectable()
export class AppTitleStrategy extends TitleStrategy {
  private readonly title = inject(Title);
  private readonly branding = inject(BrandingService);

  override updateTitle(snapshot: RouterStateSnapshot): void {
    const key = this.buildTitle(snapshot);
    const brand = this.branding.brand().name;
    const page = key && isMessageKey(key) ? t(key) : key;
    this.title.setTitle(page ? `${page} · ${brand}` : brand);
  }
}
