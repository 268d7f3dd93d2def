import { inject } from '@angular/core';
import { CanActivateChildFn, CanActivateFn, CanMatchFn, Router, UrlTree } from '@angular/router';

import { AuthService } from './auth.service';
import { RoleSet, roleIn } from './user.model';
import { DEFAULT_PAGE, safeReturnUrl } from './return-url';

function loginPage(router: Router, returnUrl: string | undefined): UrlTree {
  const wanted = returnUrl && returnUrl !== '/' ? returnUrl : undefined;
  return router.createUrlTree(['/login'], { queryParams: { returnUrl: wanted } });
}

/** Signed-in users only; others go to /login with the page they wanted as returnUrl. */
export const authGuard: CanActivateFn & CanActivateChildFn = async (_route, state) => {
  const auth = inject(AuthService);
  const router = inject(Router);
  const user = await auth.ensureSession().catch(() => null);
  return user ? true : loginPage(router, state.url);
};

/**
 * Only the roles of `set` (the portal's own role sets, contracts/api/users.ts). Used as canMatch so
 * other roles never even download those pages; canMatch runs before the shell's authGuard, so it
 * sends signed-out visitors to the login page itself, and other roles to the default page.
 */
export function roleGuard(set: RoleSet): CanMatchFn {
  return async () => {
    const auth = inject(AuthService);
    const router = inject(Router);
    const user = await auth.ensureSession().catch(() => null);
    if (user && roleIn(set, user.role)) return true;
    if (user) return router.parseUrl(DEFAULT_PAGE);
    const target = router.currentNavigation()?.extractedUrl;
    return loginPage(router, target ? router.serializeUrl(target) : undefined);
  };
}

/** Admins only: Admin → Users and Agent installers. */
export const adminGuard: CanMatchFn = roleGuard('admins');

/** Admins and technicians: the viewer (it reaches the device); never an auditor. */
export const operatorGuard: CanMatchFn = roleGuard('operators');

/** The login page is for signed-out visitors; a signed-in user goes straight on. */
export const guestGuard: CanActivateFn = async (route) => {
  const auth = inject(AuthService);
  const router = inject(Router);
  const user = await auth.ensureSession().catch(() => null);
  return user ? router.parseUrl(safeReturnUrl(route.queryParamMap.get('returnUrl'))) : true;
};
