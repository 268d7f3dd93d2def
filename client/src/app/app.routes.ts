import { Routes } from '@angular/router';

import { DASHBOARD_PATHS } from '../../../contracts/dashboard-routes';
import { adminGuard, authGuard, guestGuard, operatorGuard } from './auth/auth.guards';
import { pageTitle } from './core/i18n/i18n';

/**
 * Every page is lazy: the initial bundle holds only the router, HTTP and the auth check.
 * Signed-in pages render inside the shell (sidebar + toolbar); the remote-session viewer, a pop-up
 * window, renders on its own. Top-level paths come from contracts/dashboard-routes.ts, which the
 * portal also reads: any other path is a 404 there (a new page adds its path to that list).
 */
export const routes: Routes = [
  {
    path: DASHBOARD_PATHS.login,
    title: pageTitle('title.signIn'),
    canActivate: [guestGuard],
    loadComponent: () => import('./auth/login/login-page.component').then((m) => m.LoginPageComponent),
  },
  {
    // The remote-session viewer: a pop-up window of its own, without the sidebar and toolbar.
    path: DASHBOARD_PATHS.viewer,
    canMatch: [operatorGuard],
    canActivate: [authGuard],
    canActivateChild: [authGuard],
    loadChildren: () => import('./viewer/viewer.routes').then((m) => m.VIEWER_ROUTES),
  },
  {
    path: '',
    canActivate: [authGuard],
    canActivateChild: [authGuard],
    loadComponent: () => import('./layout/shell.component').then((m) => m.ShellComponent),
    children: [
      { path: '', pathMatch: 'full', redirectTo: DASHBOARD_PATHS.quickSupport },
      {
        path: DASHBOARD_PATHS.quickSupport,
        loadChildren: () =>
          import('./quick-support/quick-support.routes').then((m) => m.QUICK_SUPPORT_ROUTES),
      },
      {
        path: DASHBOARD_PATHS.remoteSessions,
        loadChildren: () =>
          import('./remote-sessions/remote-sessions.routes').then((m) => m.REMOTE_SESSIONS_ROUTES),
      },
      {
        // Admins and auditors see every recording; technicians those of their own sessions (the API decides).
        path: DASHBOARD_PATHS.recordings,
        loadChildren: () => import('./recordings/recordings.routes').then((m) => m.RECORDINGS_ROUTES),
      },
      {
        // Admins read the whole trail; technicians the lines of their own sessions (the API decides).
        path: DASHBOARD_PATHS.audit,
        loadChildren: () => import('./audit/audit.routes').then((m) => m.AUDIT_ROUTES),
      },
      {
        path: DASHBOARD_PATHS.admin,
        canMatch: [adminGuard],
        loadChildren: () => import('./admin/admin.routes').then((m) => m.ADMIN_ROUTES),
      },
      {
        path: '**',
        title: pageTitle('title.notFound'),
        loadComponent: () => import('./layout/not-found-page.component').then((m) => m.NotFoundPageComponent),
      },
    ],
  },
];
