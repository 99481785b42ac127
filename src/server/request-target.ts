// Serve mode's reading of a request target. The request line is whatever a client wrote — malformed escapes, "..",
// backslashes, an absolute URL — and a throw while decoding it would end the process and every run it trains.

export type Target = { ok: true; url: URL; path: string } | { ok: false; reason: string };

function decodes(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

/** The target's URL and decoded path, or why the request is refused (answered 400). */
export function requestTarget(raw: string | undefined): Target {
  // Origin-form only ("/path?query"): "*" and absolute URLs are for proxies, which this server is not.
  if (!raw || !raw.startsWith('/')) return { ok: false, reason: 'the request target must be a path starting with /' };
  const [rawPath, query = ''] = raw.split(/\?(.*)/s, 2);
  // URLSearchParams decodes a bad escape leniently into other characters; refuse it rather than act on a guess.
  if (!decodes(rawPath) || !query.split('&').every((part) => decodes(part.replace(/\+/g, ' ')))) {
    return { ok: false, reason: 'malformed percent-escape in the request' };
  }
  const path = decodeURIComponent(rawPath);
  if (path.includes('\0') || path.includes('\\') || path.split('/').includes('..')) {
    return { ok: false, reason: 'the path must not contain "..", backslashes or NUL' };
  }
  let url: URL;
  try {
    url = new URL(`http://127.0.0.1${raw}`);
  } catch {
    return { ok: false, reason: 'malformed request target' };
  }
  return { ok: true, url, path };
}
