import { Routes } from '@angular/router';

export const AUDIT_ROUTES: Routes = [
  {
    path: '',
    title: 'Audit',
    loadComponent: () => import('./audit-page.component').then((m) => m.AuditPageComponent),
  },
];
