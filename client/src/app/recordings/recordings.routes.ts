import { Routes } from '@angular/router';
import { pageTitle } from '../core/i18n/i18n';

export const RECORDINGS_ROUTES: Routes = [
  {
    path: '',
    title: pageTitle('title.recordings'),
    loadComponent: () => import('./recordings-page.component').then((m) => m.RecordingsPageComponent),
  },
  {
    path: ':id',
    title: pageTitle('title.recording'),
    loadComponent: () =>
      import('./recording-player-page.component').then((m) => m.RecordingPlayerPageComponent),
  },
];
