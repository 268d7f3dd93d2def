import { provideHttpClient, withInterceptors } from '@angular/common/http';
import {
  ApplicationConfig,
  inject,
  provideAppInitializer,
  provideBrowserGlobalErrorListeners,
  provideZonelessChangeDetection,
} from '@angular/core';
import { provideRouter, TitleStrategy, withComponentInputBinding } from '@angular/router';

import { routes } from './app.routes';
import { apiErrorInterceptor } from './core/api-error.interceptor';
import { AppTitleStrategy } from './core/app-title.strategy';
import { BrandingService } from './core/branding.service';
import { ThemeService } from './core/theme.service';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    // Zoneless is Angular 22's default; stated so nobody adds zone.js back by accident.
    provideZonelessChangeDetection(),
    provideRouter(routes, withComponentInputBinding()),
    provideHttpClient(withInterceptors([apiErrorInterceptor])),
    { provide: TitleStrategy, useClass: AppTitleStrategy },
    // Before the first page (the login page included): the stored theme, then the brand.
    provideAppInitializer(() => {
      inject(ThemeService);
      return inject(BrandingService).load();
    }),
  ],
};
