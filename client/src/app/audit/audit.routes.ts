import { Routes } from '@angular/router';
import { pageTitle } from '../core/i18n/i18n';

export const AUDIT_ROUTES: Routes = [
  {
    path: '',
    title: pageTitle('title.audit'),
    loadComponent: () => import('./audit-page.component').then((m) => m.AuditPageComponent),
  },
];
