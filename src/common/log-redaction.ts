/** Public quick-support tokens travel in the connect-page path; logs get a placeholder instead. */
export function redactUrl(url: string | undefined): string {
  if (!url) return '';
  const noQuery = url.split('?')[0] ?? '';
  return noQuery.replace(/^(\/support\/connect\/)[^/]+/, '$1[token]').slice(0, 300);
}

/** Values from customers and agents go into logs without line breaks or control characters. */
export function safeLogValue(value: unknown, max = 200): string {
  return String(value)
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?')
    .slice(0, max);
}
