// The layout rule every view must keep, checked inside the page: each visible control, once scrolled into view,
// is the element at its own centre and near its left and right edges (nothing covers or clips it) and lies within
// the window. Sideways scrolling counts only inside a region made for it (focusable, named: tabindex=0 + label);
// a control that only a sideways scroll of the page or of an unmarked box brings into view is an offender. Controls
// matching `pinned` (a row's actions) must be in view without any sideways scroll, regions included. A select must be
// wide enough to show its chosen value. Beyond the controls: the page itself never scrolls sideways (a card whose
// content spills out widens it), at 1440 or wider every table shows all its columns (no column behind a sideways
// scroll or under another element), and text in a drawing (SVG) is drawn at its own size rather than scaled with the
// window.
import type { Page } from 'playwright-core';

export const CONTROLS = 'button, input, select, textarea, a[href], [tabindex]';

/** Runs in the page: how many controls it checked, and one line per offender naming it and what is wrong. */
function offendersInPage([selector, pinned]: [string, string]): { checked: number; out: string[] } {
  const out: string[] = [];
  let checked = 0;
  // A modal dialog makes the rest of the page inert (and covered by its backdrop): check only the dialog then.
  const root: ParentNode = document.querySelector('dialog[open]') ?? document;
  const describe = (el: Element): string => {
    const h = el as HTMLInputElement;
    const text =
      el.getAttribute('aria-label') ||
      (h.labels?.[0]?.textContent ?? '') ||
      (el.closest('[data-path]') as HTMLElement | null)?.dataset.path ||
      el.textContent ||
      el.getAttribute('title') ||
      el.getAttribute('placeholder') ||
      '';
    const name = text.trim().replace(/\s+/g, ' ').slice(0, 48);
    const type = el instanceof HTMLInputElement ? `[${el.type}]` : '';
    return `${el.tagName.toLowerCase()}${type} "${name}"`;
  };
  const where = (hit: Element | null): string =>
    hit ? [hit.tagName.toLowerCase(), ...[...hit.classList].filter((c) => !c.startsWith('svelte-'))].join('.') : 'nothing';
  const region = (el: Element) => el.getAttribute('tabindex') === '0' && (el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby'));

  // A select squeezed by its row shows a sliver of its value or none. Its box must be as wide as the same select
  // holding only its chosen option, cut to 12 characters (a long dataset name may be clipped, but must be readable):
  // measured on a hidden copy, so the arrow, padding and font are the browser's own.
  const tooNarrow = (el: Element): string | null => {
    if (!(el instanceof HTMLSelectElement) || el.multiple || el.size > 1) return null;
    const full = el.selectedOptions[0]?.text ?? '';
    const text = full.length > 12 ? `${full.slice(0, 12)}…` : full;
    const copy = document.createElement('select');
    copy.className = el.className;
    copy.style.cssText = 'position: fixed; left: 0; top: 0; visibility: hidden; width: auto; min-width: 0; max-width: none; flex: none';
    copy.append(new Option(text));
    el.parentElement!.append(copy);
    const need = copy.getBoundingClientRect().width;
    copy.remove();
    const has = el.getBoundingClientRect().width;
    return has + 0.5 < need ? `too narrow to show its value "${full}" (${Math.round(has)} px for ${Math.ceil(need)})` : null;
  };

  for (const el of root.querySelectorAll(selector)) {
    if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
    const before = el.getBoundingClientRect();
    // Visually hidden (sr-only: 1 px) controls are for assistive technology, not the eye.
    if (before.width <= 1 || before.height <= 1) continue;
    checked++;
    const ancestors: Element[] = [];
    for (let a = el.parentElement; a; a = a.parentElement) ancestors.push(a);
    for (const a of ancestors) a.scrollLeft = 0;
    document.scrollingElement!.scrollLeft = 0;
    const pin = pinned !== '' && el.matches(pinned);
    // A pinned control already in view must need no sideways scroll at all: 'nearest' scrolls only if it is not.
    el.scrollIntoView({ block: 'center', inline: pin ? 'nearest' : 'center' });
    const why: string[] = [];
    const sideways = ancestors.filter((a) => a.scrollLeft > 0 && (pin || !region(a)));
    if (document.scrollingElement!.scrollLeft > 0) sideways.push(document.scrollingElement!);
    if (sideways.length) why.push(`only a sideways scroll of ${sideways.map(where).join(', ')} shows it`);
    const r = el.getBoundingClientRect();
    if (r.left < -0.5 || r.right > innerWidth + 0.5) why.push(`outside the window's width (x ${Math.round(r.left)}…${Math.round(r.right)} of ${innerWidth})`);
    const dx = Math.min(3, r.width / 4);
    const y = r.top + r.height / 2;
    for (const [x, spot] of [[r.left + r.width / 2, 'centre'], [r.left + dx, 'left edge'], [r.right - dx, 'right edge']] as const) {
      const hit = document.elementFromPoint(x, y);
      const own = hit !== null && (el === hit || el.contains(hit) || [...((el as HTMLInputElement).labels ?? [])].some((l) => l.contains(hit)));
      if (!own) {
        why.push(`covered at its ${spot} by ${where(hit)}`);
        break;
      }
    }
    const cramped = tooNarrow(el);
    if (cramped) why.push(cramped);
    // Its own content stays inside it: a status badge pushed past a button's edge is cut off by the box around it.
    const spill = !region(el) && [...el.querySelectorAll('*')].find((d) => {
      const dr = d.getBoundingClientRect();
      return dr.width > 1 && (dr.right > r.right + 1 || dr.left < r.left - 1);
    });
    if (spill) why.push(`its content (${where(spill)}) spills past its edge`);
    if (why.length) out.push(`${describe(el)}: ${why.join('; ')}`);
  }
  for (const a of document.querySelectorAll('*')) if (a.scrollLeft) a.scrollLeft = 0;

  // The page: neither the document nor the app's scrolling main area is wider than the window.
  for (const page of [document.scrollingElement!, document.querySelector('main')].filter((p): p is Element => !!p)) {
    if (page.scrollWidth > page.clientWidth + 1) out.push(`the page (${where(page)}) scrolls sideways: ${page.scrollWidth - page.clientWidth} px wider than its ${page.clientWidth} px`);
  }
  // Tables: every header cell lies inside each box that clips it and is not covered; at 1440 or wider for every
  // table, at any size for a table of a few columns (a model summary, a ledger of scores must always fit).
  if (!document.querySelector('dialog[open]')) {
    for (const table of document.querySelectorAll('table')) {
      if (!table.checkVisibility({ visibilityProperty: true })) continue;
      const head = table.tHead?.rows[0] ?? table.rows[0];
      if (innerWidth < 1440 && (head?.cells.length ?? 0) > 5) continue;
      const name = table.getAttribute('aria-label') || table.closest('[aria-label]')?.getAttribute('aria-label') || 'a table';
      for (const cell of head?.cells ?? []) {
        cell.scrollIntoView({ block: 'center', inline: 'nearest' });
        for (const a of document.querySelectorAll('*')) if (a.scrollLeft) a.scrollLeft = 0;
        const r = cell.getBoundingClientRect();
        if (r.width < 2) continue;
        const label = `table "${name}": column "${(cell.textContent ?? '').trim().slice(0, 24)}"`;
        let clip: Element | null = null;
        for (let a = cell.parentElement; a && !clip; a = a.parentElement) {
          if (getComputedStyle(a).overflowX === 'visible') continue;
          const box = a.getBoundingClientRect();
          if (r.left < box.left - 0.5 || r.right > box.right + 0.5) clip = a;
        }
        if (clip) out.push(`${label} is out of view: only a sideways scroll of ${where(clip)} shows it`);
        else if (r.left < -0.5 || r.right > innerWidth + 0.5) out.push(`${label} is outside the window's width`);
        else {
          const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          if (hit && hit !== cell && !cell.contains(hit)) out.push(`${label} is covered by ${where(hit)}`);
        }
      }
    }
  }
  // Text in SVG drawings keeps its CSS size: a drawing scaled to the window's width makes it tiny or huge.
  for (const text of document.querySelectorAll('svg text')) {
    if (!text.checkVisibility({ visibilityProperty: true })) continue;
    const scale = (text as SVGTextElement).getScreenCTM()?.a ?? 1;
    if (Math.abs(scale - 1) > 0.1) {
      const css = parseFloat(getComputedStyle(text).fontSize);
      out.push(`svg text "${(text.textContent ?? '').trim().slice(0, 24)}" is drawn at ${(css * scale).toFixed(1)} px for its ${css} px (the drawing scales with the window)`);
      break;
    }
  }
  return { checked, out };
}

/** The page as it is now: the number of visible controls checked, and the offenders prefixed with `context`. */
export async function layoutOffenders(page: Page, context: string, pinned = ''): Promise<{ checked: number; offenders: string[] }> {
  const { checked, out } = await page.evaluate(offendersInPage, [CONTROLS, pinned] as [string, string]);
  return { checked, offenders: out.map((line) => `${context}: ${line}`) };
}
