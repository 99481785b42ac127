// Keyboard focus follows a navigation the user asked for (a sidebar link, the skip link, a started run): it moves to
// the new view's heading once the view has mounted (views load lazily), so the next Tab continues inside the view
// instead of down the sidebar, and a screen reader announces where the user now is.

const WAIT_MS = 3000;

/** Focuses the heading of the view shown for `hash` (default: the current one), or <main> when it has none. */
export function focusView(hash = location.hash): void {
  const before = document.querySelector('main h1');
  const since = performance.now();
  const step = () => {
    const h1 = document.querySelector<HTMLElement>('main h1');
    const waited = performance.now() - since;
    // The old view's heading lingers until the route applies (Errors may add its remembered run to the address);
    // the same view (a link to where one is) keeps its heading.
    const there = location.hash === hash || location.hash.startsWith(`${hash}/`);
    const ready = there && h1 !== null && (h1 !== before || waited > 300);
    if (!ready && waited < WAIT_MS) return void requestAnimationFrame(step);
    const target = h1 ?? document.querySelector<HTMLElement>('main');
    if (!target) return;
    if (!target.hasAttribute('tabindex')) target.tabIndex = -1;
    target.focus({ preventScroll: true });
  };
  requestAnimationFrame(step);
}
