import { Routes } from '@angular/router';

/** Everything under /admin; the parent route's adminGuard (canMatch) keeps technicians out. */
export const ADMIN_ROUTES: Routes = [
  { path: '', pathMatch: 'full', redirectTo: 'users' },
  {
    path: 'installers',
    title: 'Agent installers',
    loadComponent: () =>
      import('./installers/installers-page.component').then((m) => m.InstallersPageComponent),
  },
  {
    path: 'devices',
    title: 'Devices',
    loadComponent: () => import('./devices/devices-page.component').then((m) => m.DevicesPageComponent),
  },
  {
    path: 'users',
    title: 'Users',
    loadComponent: () => import('./users/users-page.component').then((m) => m.UsersPageComponent),
  },
];
