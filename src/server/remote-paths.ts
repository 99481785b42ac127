// Serve mode's browser is a remote client: it never names files on the server. A contract method marked as taking
// a server path (see ServerPaths in the contract) is refused here, before the core sees it; imports arrive by
// upload (POST /upload) and exports leave by download (/download/...) instead.

import { serverPathsOf, type MethodName } from '../shared/contract.js';
import type { ErrorData } from '../shared/errors.js';

export function remotePathRefusal(method: MethodName): ErrorData | null {
  const paths = serverPathsOf(method);
  if (!paths) return null;
  // Refused whatever the arguments: every path field is required, and echoing a given path back is pointless.
  return {
    code: 'bad-input',
    message: `${method}: paths cannot be given over serve mode (the browser is a remote client and never names files on the server); ${paths.instead}`,
    details: { method, fields: Object.keys(paths.fields) },
  };
}
