// Hash routing (#/datasets, #/runs/12, …): a reload keeps the view, and every view has a plain link.

export type Route =
  | { view: 'datasets'; id: number | null }
  | { view: 'new' }
  | { view: 'runs' }
  | { view: 'run'; id: number }
  | { view: 'settings' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const id = Number(parts[1]);
  switch (parts[0]) {
    case 'datasets':
      return { view: 'datasets', id: Number.isInteger(id) && id > 0 ? id : null };
    case 'new':
      return { view: 'new' };
    case 'runs':
      return Number.isInteger(id) && id > 0 ? { view: 'run', id } : { view: 'runs' };
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
}

export const router = new Router();
