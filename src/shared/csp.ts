// The Content-Security-Policy of the UI, the one definition for the Electron window and serve mode. The built
// index.html carries it as a <meta> tag (injected at build time by both vite configs), because the window loads
// the page from file://, where no response header applies; serve mode also sends it as a header.

const directives = [
  "default-src 'self'",
  "script-src 'self'",
  // Svelte sets element styles inline.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  // Serve mode's WebSocket is same-origin: 'self' covers ws:// on the page's own host and port.
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
];
/** Only a header can set frame-ancestors; in a <meta> tag Chromium ignores it with a console error. */
const headerOnly = ["frame-ancestors 'none'"];

/** The policy as a response header (serve mode, and pages Electron loads over http in development). */
export const CSP = [...directives, ...headerOnly].join('; ');

/** The policy as the built index.html carries it. */
export const CSP_META = directives.join('; ');

/** Puts the policy first in <head>, ahead of every script and style the build adds. */
export function injectCspMeta(html: string): string {
  if (!/<head>/i.test(html)) throw new Error('index.html has no <head> to carry the Content-Security-Policy');
  return html.replace(/<head>/i, `<head>\n    <meta http-equiv="Content-Security-Policy" content="${CSP_META}" />`);
}

/** The vite plugin both configs use (build only: the dev server's pages get the header from the main process). */
export const cspMetaPlugin = {
  name: 'digit-workbench-csp-meta',
  apply: 'build' as const,
  transformIndexHtml: { order: 'post' as const, handler: injectCspMeta },
};
