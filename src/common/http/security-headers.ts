import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { AppConfig } from '../../config/app-config';

/**
 * Security headers on every answer of the portal (API, dashboard, its files, errors and 404s), from
 * helmet: no sniffing, no framing, same-origin opener and resource policies, HSTS when the portal's
 * origin is https, and the dashboard's Content-Security-Policy:
 * - scripts only from the portal's own files (the Angular build has no inline script);
 * - `style-src 'unsafe-inline'`: Angular Material, the CDK overlays and xterm set style attributes;
 * - `connect-src` the portal and the relay's public URL (the viewer's noVNC and terminal WebSockets);
 * - `img-src data: blob:` for noVNC's cursor and pasted images, and the brand logo's origin; no objects, frames or foreign forms.
 * No `upgrade-insecure-requests`: a portal on plain http (a LAN, development) must keep working.
 * The public connect page under /support replaces the CSP and Referrer-Policy with its stricter ones
 * (src/quick-support/connect/public-headers.ts).
 */
export function securityHeaders(config: AppConfig): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        // 'wasm-unsafe-eval' lets asciinema-player (the shell recordings' player) compile its own
        // WebAssembly; it allows no eval() of JavaScript and no script from anywhere but 'self'.
        scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        // BRAND_LOGO_URL's origin, when the logo is configured there (a file in DATA_DIR is 'self').
        imgSrc: [
          "'self'",
          'data:',
          'blob:',
          ...(config.brand.logoUrl ? [new URL(config.brand.logoUrl).origin] : []),
        ],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", config.relay.publicUrl],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'same-origin' },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: config.portalOrigin.startsWith('https:')
      ? { maxAge: 31_536_000, includeSubDomains: true }
      : false,
  }) as RequestHandler;
}
