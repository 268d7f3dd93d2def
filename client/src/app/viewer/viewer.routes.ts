import { Routes } from '@angular/router';

/** `/viewer/:sessionId`, outside the dashboard's shell (it opens in its own pop-up window). */
export const VIEWER_ROUTES: Routes = [
  {
    path: ':sessionId',
    loadComponent: () => import('./viewer-page.component').then((m) => m.ViewerPageComponent),
  },
];
