/**
 * The brand the dashboard shows (GET /api/branding, public: the login page needs it before sign-in).
 * Built from BRAND_NAME, BRAND_PRIMARY_COLOR, BRAND_ACCENT_COLOR and the optional logo.
 */
export interface BrandingBody {
  /** BRAND_NAME: shown in the shell, on the login page and in every page title. */
  name: string;
  /** `#rrggbb`, as configured. */
  primaryColor: string;
  /** The text colour (`#ffffff`, `#111827` or `#000000`) with AA contrast on `primaryColor`. */
  onPrimaryColor: string;
  accentColor: string;
  onAccentColor: string;
  /** BRAND_LOGO_URL, or {@link BRAND_LOGO_PATH} when a logo file is in DATA_DIR/brand; else null. */
  logoUrl: string | null;
}

/** Where the portal serves a logo file from DATA_DIR/brand (same origin as the dashboard). */
export const BRAND_LOGO_PATH = '/api/branding/logo';

/** The largest logo file the portal serves (bytes). */
export const BRAND_LOGO_MAX_BYTES = 256 * 1024;
