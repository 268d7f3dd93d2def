/**
 * Product naming shown in the dashboard. The portal will serve the configured BRAND_NAME later;
 * until then every screen reads it from here so there is one place to change.
 */
export const APP_TITLE = 'Remote Support';
