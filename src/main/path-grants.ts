// The paths the renderer may name: only those the user chose since the app started, in a native dialog (answered
// here in main) or by dropping a file on the window (reported by the preload from its isolated world, where the
// page's script cannot reach). A path the page made up — an XSS, a bug — is refused before the core sees it.

import { serverPathsOf, type MethodName } from '../shared/contract.js';
import { badInput } from '../shared/errors.js';

export type Access = 'read' | 'write';

export class PathGrants {
  readonly #granted: Record<Access, Set<string>> = { read: new Set(), write: new Set() };

  /** Exactly this path, for this access: a save dialog's answer does not make its folder or its siblings writable. */
  grant(path: string, access: Access): void {
    this.#granted[access].add(path);
  }

  /** Throws unless every path argument of the call (as the contract marks them) was granted for its access. */
  check(name: MethodName, args: unknown): void {
    const paths = serverPathsOf(name);
    if (!paths) return;
    for (const [field, access] of Object.entries(paths.fields)) {
      const value = typeof args === 'object' && args !== null ? (args as Record<string, unknown>)[field] : undefined;
      if (typeof value !== 'string') continue; // not a path at all: the contract's validation names the field
      if (this.#granted[access].has(value)) continue;
      const shown = value.length > 200 ? `${value.slice(0, 200)}…` : value;
      const how = access === 'read' ? 'pick it with Import CSV… or drop it on the window' : 'choose where to save in the save dialog';
      throw badInput(`${name}: ${field} ${JSON.stringify(shown)} was not chosen in a dialog or dropped on the window since the app started: ${how}`, { field });
    }
  }
}
