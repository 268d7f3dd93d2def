/**
 * User agents of link unfurlers and crawlers (chat apps, mail scanners, social sites). They fetch
 * links to preview them; a download they fetch must not mint an installer token. Real browsers,
 * headless ones included, never match. No User-Agent at all is treated as a bot.
 */
const PREVIEW_AGENTS =
  /bot\b|bot\/|crawler|spider|preview|facebookexternalhit|facebot|slack|discord|whatsapp|telegram|skype|linkedin|embedly|iframely|pinterest|vkshare|mastodon|snapchat|outlook|microsoft office|ms-office|msoffice|google-inspectiontool|googleother|yahoo! slurp|proofpoint|mimecast|barracuda/i;

export function isLinkPreviewAgent(userAgent: string | undefined): boolean {
  if (!userAgent || userAgent.trim() === '') return true;
  return PREVIEW_AGENTS.test(userAgent.slice(0, 512));
}
