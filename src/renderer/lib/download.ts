// Serve mode's exports: a POST to /download/… (it writes a file and a ledger row, so never a GET), whose answer
// the browser saves through a blob link, so that a failure is shown as the core's message instead of a saved page.

/** Posts to `path` and saves the answer under the server's file name; returns the response's headers and that name. */
export async function postDownload(path: string, query: URLSearchParams, fallbackName: string): Promise<{ headers: Headers; file: string }> {
  const res = await fetch(`${path}?${query}`, { method: 'POST', credentials: 'same-origin' });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(body?.error?.message ?? `the export failed (HTTP ${res.status})`);
  }
  return { headers: res.headers, file: await saveResponse(res, fallbackName) };
}

/** Saves a successful response through a blob link under the server's file name (else `fallbackName`); returns it. */
export async function saveResponse(res: Response, fallbackName: string): Promise<string> {
  const file = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const link = Object.assign(document.createElement('a'), { href: url, download: file, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return file;
}
