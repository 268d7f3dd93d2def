/**
 * The dashboard's English messages: the catalogue every other language copies (see
 * docs/translating-the-dashboard.md). Keys are `area.name`; `{name}` marks a value filled in at run
 * time. Only this file holds the English text of what it covers; a test
 * (test/unit/dashboard-messages.spec.ts) fails on a key nothing uses or a used key it lacks.
 */
export const MESSAGES_EN = {
  // Browser tab titles ("<page> · <brand>") of the routed pages.
  'title.signIn': 'Sign in',
  'title.quickSupport': 'Quick-Support',
  'title.remoteSessions': 'Remote Sessions',
  'title.remoteSession': 'Remote session',
  'title.recordings': 'Recordings',
  'title.recording': 'Recording',
  'title.audit': 'Audit',
  'title.installers': 'Agent installers',
  'title.devices': 'Devices',
  'title.users': 'Users',
  'title.notFound': 'Page not found',

  // The shell: navigation, toolbar, theme menu.
  'shell.skipToContent': 'Skip to main content',
  'shell.mainNavigation': 'Main',
  'shell.openNavigation': 'Open navigation',
  'shell.signedInUser': 'Signed-in user',
  'shell.logOut': 'Log out',
  'shell.logoAlt': '{brand} logo',
  'nav.quickSupport': 'Quick-Support',
  'nav.remoteSessions': 'Remote Sessions',
  'nav.recordings': 'Recordings',
  'nav.audit': 'Audit',
  'nav.adminHeading': 'Admin',
  'nav.installers': 'Agent installers',
  'nav.devices': 'Devices',
  'nav.users': 'Users',
  'theme.button': 'Theme: {choice}',
  'theme.system': 'System',
  'theme.light': 'Light',
  'theme.dark': 'Dark',

  // The login page.
  'login.heading': 'Sign in',
  'login.lead': 'Technician console. Use the account your administrator created for you.',
  'login.heroTitle': 'Help your users without leaving your desk.',
  'login.heroPointLink': 'Send a support link; the customer’s browser does the rest.',
  'login.heroPointRelay': 'Screen and shell travel through your own relay.',
  'login.heroPointSelfHosted': 'Self-hosted: your data stays on your servers.',
  'login.email': 'Email',
  'login.emailRequired': 'Enter your email address.',
  'login.emailInvalid': 'Enter a valid email address.',
  'login.password': 'Password',
  'login.passwordRequired': 'Enter your password.',
  'login.submit': 'Sign in',
  'login.submitting': 'Signing in…',
  'login.invalidCredentials': 'The email or password is incorrect, or the account is disabled.',
  'login.tooManyAttempts': 'Too many attempts — try again in {seconds} s.',
  'login.footnote': 'For authorised IT staff. Sign-in attempts are rate-limited.',
} as const;

export type MessageKey = keyof typeof MESSAGES_EN;

/** A language's catalogue: every key of the English one, none other. */
export type MessageCatalogue = { readonly [K in MessageKey]: string };
