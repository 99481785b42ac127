// Writes the serve API's JSON Schema (src/core/contract-schema.ts, from the contract's zod schemas) to
// docs/contract.schema.json, or to the path given. Run by `npm run build:node`, after tsc compiled build/node.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? join(root, 'docs', 'contract.schema.json'));
const { contractJsonSchema } = await import(new URL('../build/node/core/contract-schema.js', import.meta.url).href);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(contractJsonSchema(), null, 2)}\n`);
