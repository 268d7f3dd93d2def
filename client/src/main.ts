import { bootstrapApplication } from '@angular/platform-browser';

import { AppComponent } from './app/app.component';
import { appConfig } from './app/app.config';
import { pickLanguage, useLanguage } from './app/core/i18n/i18n';

document.documentElement.lang = useLanguage(pickLanguage(navigator.languages));

bootstrapApplication(AppComponent, appConfig).catch((error: unknown) => {
  console.error('The dashboard failed to start', error);
});
