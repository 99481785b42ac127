// Hash routing: every view's address parses back to the same route, a hand-typed or stale address lands on a
// view rather than an error, and Back/Forward move the app as they move the address bar.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Route } from '../../src/renderer/lib/router.svelte.js';
import { installFakeAddressBar } from '../mocks/fake-address-bar.js';

const bar = installFakeAddressBar('#/runs/12');
let routerModule: typeof import('../../src/renderer/lib/router.svelte.js');

beforeAll(async () => {
  routerModule = await import('../../src/renderer/lib/router.svelte.js');
});

const ROUTES: [Route, string][] = [
  [{ view: 'datasets', id: null }, '#/datasets'],
  [{ view: 'datasets', id: 4 }, '#/datasets/4'],
  [{ view: 'new' }, '#/new'],
  [{ view: 'runs' }, '#/runs'],
  [{ view: 'run', id: 12 }, '#/runs/12'],
  [{ view: 'compare', ids: [3, 4, 7] }, '#/compare/3,4,7'],
  [{ view: 'compare', ids: [] }, '#/compare'],
  [{ view: 'errors', id: 5 }, '#/errors/5'],
  [{ view: 'errors', id: null }, '#/errors'],
  [{ view: 'diff', a: 2, b: 9 }, '#/diff/2/9'],
  [{ view: 'diff', a: null, b: 9 }, '#/diff/0/9'],
  [{ view: 'diff', a: null, b: null }, '#/diff'],
  [{ view: 'submissions' }, '#/submissions'],
  [{ view: 'draw' }, '#/draw'],
  [{ view: 'sweeps', id: 3 }, '#/sweeps/3'],
  [{ view: 'sweeps', id: null }, '#/sweeps'],
  [{ view: 'autopilot', id: 4 }, '#/autopilot/4'],
  [{ view: 'autopilot', id: null }, '#/autopilot'],
  [{ view: 'labels', key: 'run 3/fold 1' }, '#/labels/run%203%2Ffold%201'],
  [{ view: 'labels', key: null }, '#/labels'],
  [{ view: 'settings' }, '#/settings'],
];

describe('routes', () => {
  it.each(ROUTES)('%j is written %s and read back', (route, hash) => {
    const { href, parseRoute } = routerModule;
    expect(href(route)).toBe(hash);
    expect(parseRoute(hash)).toEqual(route);
  });

  it('reads an address without the leading slash, with a trailing one, or empty', () => {
    const { parseRoute } = routerModule;
    expect(parseRoute('#runs/12/')).toEqual({ view: 'run', id: 12 });
    expect(parseRoute('')).toEqual({ view: 'runs' });
    expect(parseRoute('#/')).toEqual({ view: 'runs' });
  });

  it('lands an unknown or malformed address on a view instead of failing', () => {
    const { parseRoute } = routerModule;
    expect(parseRoute('#/nowhere/3')).toEqual({ view: 'runs' });
    expect(parseRoute('#/runs/abc')).toEqual({ view: 'runs' });
    expect(parseRoute('#/runs/-4')).toEqual({ view: 'runs' });
    expect(parseRoute('#/runs/1.5')).toEqual({ view: 'runs' });
    expect(parseRoute('#/datasets/0')).toEqual({ view: 'datasets', id: null });
    expect(parseRoute('#/compare/3,x,,4,-1,4')).toEqual({ view: 'compare', ids: [3, 4, 4] });
    expect(parseRoute('#/labels/%E0%A4%A')).toEqual({ view: 'labels', key: null });
  });
});

describe('Router', () => {
  it('follows the address: go() adds history, Back and Forward move the route, replace() does not add history', () => {
    const { router } = routerModule;
    expect(router.route).toEqual({ view: 'run', id: 12 });
    router.go({ view: 'compare', ids: [1, 2] });
    expect(router.route).toEqual({ view: 'compare', ids: [1, 2] });
    router.go({ view: 'errors', id: 1 });
    expect(bar.entries).toEqual(['#/runs/12', '#/compare/1,2', '#/errors/1']);

    bar.back();
    expect(router.route).toEqual({ view: 'compare', ids: [1, 2] });
    bar.back();
    expect(router.route).toEqual({ view: 'run', id: 12 });
    bar.forward();
    expect(router.route).toEqual({ view: 'compare', ids: [1, 2] });

    // A view keeping its selection in the address rewrites the entry: Back skips past it.
    router.replace({ view: 'compare', ids: [1, 2, 5] });
    expect(router.route).toEqual({ view: 'compare', ids: [1, 2, 5] });
    expect(bar.entries).toEqual(['#/runs/12', '#/compare/1,2,5', '#/errors/1']);
    bar.back();
    expect(router.route).toEqual({ view: 'run', id: 12 });
    bar.forward();
    expect(router.route).toEqual({ view: 'compare', ids: [1, 2, 5] });
  });

  it('follows an address typed by hand, known or not', () => {
    const { router } = routerModule;
    bar.visit('#/sweeps/8');
    expect(router.route).toEqual({ view: 'sweeps', id: 8 });
    bar.visit('#/no-such-view');
    expect(router.route).toEqual({ view: 'runs' });
    bar.back();
    expect(router.route).toEqual({ view: 'sweeps', id: 8 });
  });
});
