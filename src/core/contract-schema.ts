// The serve API as JSON Schema, for people who script it: a call per contract method (its arguments are the
// contract's own zod schemas), the reply and event envelopes, and the error data. scripts/contract-schema.js writes
// it to docs/contract.schema.json at build time, so it never drifts from the contract.

import * as z from 'zod';
import { contract, serverPathsOf, type MethodName } from '../shared/contract.js';
import type { ErrorCode } from '../shared/errors.js';
import type { WireCall } from '../shared/wire.js';
import { hyperparamsSchema } from '../shared/hyperparams.js';

const ERROR_CODES = ['bad-input', 'not-found', 'conflict', 'io', 'trainer', 'internal'] as const satisfies readonly ErrorCode[];

const issue = z.strictObject({
  path: z.string().meta({ description: 'The failing field ("epochs", "validation.ratio", "model[3].filters"); empty for the arguments as a whole.' }),
  message: z.string().meta({ description: 'What is wrong, without the path: "must be an integer from 1 to 1000 (got 0)".' }),
});

const errorData = z.strictObject({
  code: z.enum(ERROR_CODES),
  message: z.string().meta({ description: 'For people: one line per problem, each naming its field ("epochs: must be …").' }),
  details: z
    .union([
      z.strictObject({ path: z.string(), issues: z.array(issue) }).meta({
        description: 'A bad-input error from argument validation: the first failing path and every failing field, so a form can show them all at once.',
      }),
      z.unknown(),
    ])
    .optional(),
});

// ErrorCode is a type, so its values are listed here; `satisfies` above and this check keep the two lists equal.
const codesMatch: [ErrorCode] extends [z.output<typeof errorData>['code']] ? true : false = true;
void codesMatch;

function call(method: MethodName) {
  const paths = serverPathsOf(method);
  const note = method.startsWith('desktop:')
    ? 'Desktop app only: serve mode answers it with a conflict error.'
    : paths
      ? `Refused over serve mode (it names files on the server: ${Object.keys(paths.fields).join(', ')}); ${paths.instead}.`
      : undefined;
  const schema = z.strictObject({
    id: z.number().meta({ description: 'Chosen by the caller; the reply carries it back.' }),
    method: z.literal(method),
    args: contract[method].args,
  });
  return note ? schema.meta({ description: note }) : schema;
}

const methods = Object.keys(contract) as MethodName[];
const callSchema = z.union(methods.map(call)) satisfies z.ZodType<WireCall, unknown>;

const reply = z.union([
  z.strictObject({ type: z.literal('reply'), id: z.number(), ok: z.literal(true), result: z.unknown().meta({ description: 'The method’s result (its TypeScript type: ResultOf in src/shared/contract.ts).' }) }),
  z.strictObject({ type: z.literal('reply'), id: z.number(), ok: z.literal(false), error: errorData }),
  z.strictObject({ type: z.literal('event'), event: z.looseObject({ type: z.string() }).meta({ description: 'Pushed by the server (src/shared/events.ts): run progress, status changes, imports.' }) }),
]);

/** The whole document, deterministic (the same contract gives the same bytes). */
export function contractJsonSchema(): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  registry.add(callSchema, { id: 'call' });
  registry.add(reply, { id: 'message' });
  registry.add(errorData, { id: 'error' });
  registry.add(hyperparamsSchema, { id: 'hyperparams' });
  const { schemas } = z.toJSONSchema(registry, {
    io: 'input',
    uri: (id) => `#/$defs/${id}`,
    override: ({ zodSchema, jsonSchema }) => {
      // The contract takes hyperparameters as any object; the core merges them into the preset's and checks the result.
      if (zodSchema._zod.def.type === 'record') {
        jsonSchema.description = "Overrides of the preset's hyperparameters, nested objects merged field by field; the result must be a valid #/$defs/hyperparams.";
      }
    },
  });
  const defs = Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _s, $id: _i, ...rest }]) => [id, rest]));
  defs.hyperparams.description = 'A run’s full hyperparameters (presets:list shows each preset’s).';
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'Digit Workbench serve API',
    description:
      'Connect a WebSocket to ws://127.0.0.1:PORT/ws with the token `digit-workbench serve` printed (?token=… or an X-Workbench-Token header). ' +
      'Send a call (this schema) as JSON text; the server answers each with a reply carrying its id, and pushes events (#/$defs/message). ' +
      'Arguments are checked strictly: unknown fields are refused, and a bad-input error lists every failing field (#/$defs/error).',
    $ref: '#/$defs/call',
    $defs: defs,
  };
}
