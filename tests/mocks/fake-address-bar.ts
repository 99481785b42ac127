// A browser's address bar and session history for renderer state that reads the hash (the router): installed as
// globalThis location, history and window before the module loads. Like a browser, setting location.hash to a new
// value adds an entry and fires 'hashchange'; back() and forward() move through the entries and fire it;
// history.replaceState rewrites the current entry silently.

export interface FakeAddressBar {
  back(): void;
  forward(): void;
  /** The user types an address (or follows a link): a new entry, as setting location.hash does. */
  visit(hash: string): void;
  readonly entries: string[];
  readonly index: number;
}

export function installFakeAddressBar(initial = ''): FakeAddressBar {
  let entries = [initial];
  let index = 0;
  const listeners = new Set<() => void>();
  const fire = () => listeners.forEach((l) => l());
  const normal = (hash: string) => (hash === '' || hash === '#' ? '' : hash.startsWith('#') ? hash : `#${hash}`);
  const push = (hash: string) => {
    const next = normal(hash);
    if (next === entries[index]) return; // the same hash: no entry, no event
    entries = [...entries.slice(0, index + 1), next];
    index++;
    fire();
  };
  const move = (by: number) => {
    const next = index + by;
    if (next < 0 || next >= entries.length) return;
    index = next;
    fire();
  };
  const g = globalThis as Record<string, unknown>;
  g.location = {
    get hash() {
      return entries[index];
    },
    set hash(value: string) {
      push(value);
    },
  };
  g.history = {
    replaceState(_state: unknown, _title: string, url: string) {
      entries = entries.map((e, i) => (i === index ? normal(url) : e));
    },
    back: () => move(-1),
    forward: () => move(1),
  };
  g.window = {
    addEventListener(type: string, fn: () => void) {
      if (type === 'hashchange') listeners.add(fn);
    },
  };
  return {
    back: () => move(-1),
    forward: () => move(1),
    visit: push,
    get entries() {
      return entries;
    },
    get index() {
      return index;
    },
  };
}
