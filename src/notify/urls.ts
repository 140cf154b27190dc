// Which parts of a webhook URL are credentials. A webhook URL is a secret as a whole, but its public
// path (`/robot/send`, `/cgi-bin/webhook/send`, `/api/webhooks`) appears in every vendor's docs:
// masking it would turn each later log line that mentions it into `***`. The credential parts are
// the tokens, keys and signatures: query values named like one, and path segments or values that read
// like random strings rather than words of an API.

const CREDENTIAL_KEY = /token|key|sig|secret|pass|auth|code|hash|credential/i;

/** A path segment or query value that is not a word, a version, a number or a path of the API. */
export function looksSecret(part: string): boolean {
  if (part.length < 4) return false;
  if (/^v\d{1,3}$/.test(part)) return false;
  if (/^[a-z][a-z._-]{0,23}$/.test(part)) return false;
  if (/^[\d.:-]+$/.test(part)) return false; // ids, dates and versions: not credentials on their own
  if (part.startsWith('/')) return false;
  return true;
}

function decoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The credential parts of a URL: secret-looking path segments, credential query values, userinfo. */
export function secretParts(url: URL): string[] {
  const parts: string[] = [];
  for (const segment of url.pathname.split('/')) {
    if (looksSecret(decoded(segment))) parts.push(segment, decoded(segment));
  }
  for (const [key, value] of url.searchParams) {
    if (value && (CREDENTIAL_KEY.test(key) || looksSecret(value))) parts.push(value, encodeURIComponent(value));
  }
  if (url.username) parts.push(decoded(url.username));
  if (url.password) parts.push(decoded(url.password));
  return [...new Set(parts)];
}

/** A URL from outside (a redirect's Location) as it may be shown: no query or userinfo, secret segments as `***`. */
export function publicUrl(location: string, base: string): string {
  let url: URL;
  try {
    url = new URL(location, base);
  } catch {
    return 'an invalid location';
  }
  const path = url.pathname
    .split('/')
    .map((s) => (looksSecret(decoded(s)) ? '***' : s))
    .join('/');
  return `${url.protocol}//${url.host}${path}`;
}
