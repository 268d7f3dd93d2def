import { Routes } from '@angular/router';
import { pageTitle } from '../core/i18n/i18n';

/** Everything under /admin; the parent route's adminGuard (canMatch) keeps technicians out. */
export const ADMIN_ROUTES: Routes = [
  { path: '', pathMatch: 'full', redirectTo: 'users' },
  {
    path: 'installers',
    title: pageTitle('title.installers'),
    loadComponent: () =>
      import('./installers/installers-page.component').then((m) => m.InstallersPageComponent),
  },
  {
    path: 'devices',
    title: pageTitle('title.devices'),
    loadComponent: () => import('./devices/devices-page.component').then((m) => m.DevicesPageComponent),
  },
  {
    path: 'users',
    title: pageTitle('title.users'),
    loadComponent: () => import('./users/users-page.component').then((m) => m.UsersPageComponent),
  },
];
