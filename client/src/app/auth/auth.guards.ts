import { inject } from '@angular/core';
import { CanActivateChildFn, CanActivateFn, CanMatchFn, Router, UrlTree } from '@angular/router';

import { AuthService } from './auth.service';
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
 * Admins only. Used as canMatch so technicians never even download the admin pages; canMatch runs
 * before the shell's authGuard, so it sends signed-out visitors to the login page itself.
 */
export const adminGuard: CanMatchFn = async () => {
  const auth = inject(AuthService);
  const router = inject(Router);
  const user = await auth.ensureSession().catch(() => null);
  if (user?.role === 'admin') return true;
  if (user) return router.parseUrl(DEFAULT_PAGE);
  const target = router.currentNavigation()?.extractedUrl;
  return loginPage(router, target ? router.serializeUrl(target) : undefined);
};

/** The login page is for signed-out visitors; a signed-in user goes straight on. */
export const guestGuard: CanActivateFn = async (route) => {
  const auth = inject(AuthService);
  const router = inject(Router);
  const user = await auth.ensureSession().catch(() => null);
  return user ? router.parseUrl(safeReturnUrl(route.queryParamMap.get('returnUrl'))) : true;
};
