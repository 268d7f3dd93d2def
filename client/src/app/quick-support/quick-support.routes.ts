import { Routes } from '@angular/router';

export const QUICK_SUPPORT_ROUTES: Routes = [
  {
    path: '',
    title: 'Quick-Support',
    loadComponent: () => import('./quick-support-page.component').then((m) => m.QuickSupportPageComponent),
  },
];
