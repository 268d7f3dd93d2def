import { Routes } from '@angular/router';
import { pageTitle } from '../core/i18n/i18n';

export const QUICK_SUPPORT_ROUTES: Routes = [
  {
    path: '',
    title: pageTitle('title.quickSupport'),
    loadComponent: () => import('./quick-support-page.component').then((m) => m.QuickSupportPageComponent),
  },
];
