import { Routes } from '@angular/router';

export const REMOTE_SESSIONS_ROUTES: Routes = [
  {
    path: '',
    title: 'Remote Sessions',
    loadComponent: () =>
      import('./remote-sessions-page.component').then((m) => m.RemoteSessionsPageComponent),
  },
  {
    path: ':id',
    title: 'Remote session',
    loadComponent: () =>
      import('./session-details-page.component').then((m) => m.SessionDetailsPageComponent),
  },
];
