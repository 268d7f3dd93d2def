import { Routes } from '@angular/router';
import { pageTitle } from '../core/i18n/i18n';

export const REMOTE_SESSIONS_ROUTES: Routes = [
  {
    path: '',
    title: pageTitle('title.remoteSessions'),
    loadComponent: () =>
      import('./remote-sessions-page.component').then((m) => m.RemoteSessionsPageComponent),
  },
  {
    path: ':id',
    title: pageTitle('title.remoteSession'),
    loadComponent: () =>
      import('./session-details-page.component').then((m) => m.SessionDetailsPageComponent),
  },
];
