// Hash routing (#/datasets, #/runs/12, #/compare/3,4, …): a reload keeps the view, and every view has a plain link.

export type Route =
  | { view: 'datasets'; id: number | null }
  | { view: 'new' }
  | { view: 'runs' }
  | { view: 'run'; id: number }
  | { view: 'compare'; ids: number[] }
  | { view: 'errors'; id: number | null }
  | { view: 'embedding'; id: number | null }
  | { view: 'diff'; a: number | null; b: number | null }
  | { view: 'submissions' }
  | { view: 'draw' }
  | { view: 'sweeps'; id: number | null }
  | { view: 'labels'; key: string | null }
  | { view: 'autopilot'; id: number | null }
  | { view: 'settings' };

const positive = (v: string | undefined): number | null => {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : null;
};

/** A path segment as written by href(); a malformed escape is no selection rather than an exception. */
function decoded(v: string | undefined): string | null {
  try {
    return v ? decodeURIComponent(v) : null;
  } catch {
    return null;
  }
}

/** "3,4,7" → [3, 4, 7] (anything else dropped). */
export function idList(v: string | undefined): number[] {
  return (v ?? '').split(',').map(positive).filter((n): n is number => n !== null);
}

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const id = positive(parts[1]);
  switch (parts[0]) {
    case 'datasets':
      return { view: 'datasets', id };
    case 'new':
      return { view: 'new' };
    case 'runs':
      return id ? { view: 'run', id } : { view: 'runs' };
    case 'compare':
      return { view: 'compare', ids: idList(parts[1]) };
    case 'errors':
      return { view: 'errors', id };
    case 'embedding':
      return { view: 'embedding', id };
    case 'diff':
      return { view: 'diff', a: id, b: positive(parts[2]) };
    case 'submissions':
      return { view: 'submissions' };
    case 'draw':
      return { view: 'draw' };
    case 'sweeps':
      return { view: 'sweeps', id };
    case 'labels':
      return { view: 'labels', key: decoded(parts[1]) };
    case 'autopilot':
      return { view: 'autopilot', id };
    case 'settings':
      return { view: 'settings' };
    default:
      return { view: 'runs' };
  }
}

export function href(route: Route): string {
  switch (route.view) {
    case 'datasets':
      return route.id ? `#/datasets/${route.id}` : '#/datasets';
    case 'run':
      return `#/runs/${route.id}`;
    case 'compare':
      return route.ids.length ? `#/compare/${route.ids.join(',')}` : '#/compare';
    case 'errors':
      return route.id ? `#/errors/${route.id}` : '#/errors';
    case 'embedding':
      return route.id ? `#/embedding/${route.id}` : '#/embedding';
    case 'sweeps':
      return route.id ? `#/sweeps/${route.id}` : '#/sweeps';
    case 'autopilot':
      return route.id ? `#/autopilot/${route.id}` : '#/autopilot';
    case 'diff':
      return route.a || route.b ? `#/diff/${route.a ?? 0}/${route.b ?? 0}` : '#/diff';
    case 'labels':
      return route.key ? `#/labels/${encodeURIComponent(route.key)}` : '#/labels';
    default:
      return `#/${route.view}`;
  }
}

class Router {
  #hash = $state(location.hash);

  constructor() {
    window.addEventListener('hashchange', () => (this.#hash = location.hash));
  }

  get route(): Route {
    return parseRoute(this.#hash);
  }

  go(route: Route): void {
    location.hash = href(route);
  }

  /** Rewrites the address without a history entry (a view's selection kept in the hash). */
  replace(route: Route): void {
    const next = href(route);
    if (location.hash === next) return;
    history.replaceState(null, '', next);
    this.#hash = next;
  }
}

export const router = new Router();
