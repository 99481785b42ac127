// Trainer events and checkpoints as Redis values: JSON for the shape, the typed arrays (weights, optimizer slots,
// validation probabilities) as raw binary fields beside it — no base64, and independent of the Node version
// (v8.serialize's format is not promised to be readable by an older Node on another machine).

type Binary = Uint8Array | Int32Array | Float32Array | ArrayBuffer;
const TYPES = { Uint8Array, Int32Array, Float32Array } as const;
type TypeName = keyof typeof TYPES | 'ArrayBuffer';

interface BinRef {
  $bin: number;
  t: TypeName;
}

function typeOf(value: unknown): TypeName | null {
  if (value instanceof ArrayBuffer) return 'ArrayBuffer';
  for (const name of Object.keys(TYPES) as (keyof typeof TYPES)[]) if (value instanceof TYPES[name]) return name;
  return null;
}

/** Fields for XADD/HSET: `j` holds the JSON, `b0`, `b1`, … the binary parts it refers to. */
export function encode(value: unknown): (string | Buffer)[] {
  const parts: Buffer[] = [];
  const json = JSON.stringify(value, (_key, v: unknown) => {
    const t = typeOf(v);
    if (!t) return v;
    const b = v as Binary;
    parts.push(b instanceof ArrayBuffer ? Buffer.from(b) : Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    return { $bin: parts.length - 1, t } satisfies BinRef;
  });
  return ['j', json, ...parts.flatMap((p, i) => [`b${i}`, p])];
}

/** The inverse of encode, from the field/value list Redis returns (as Buffers). */
export function decode<T>(fields: Buffer[]): T {
  const map = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i].toString(), fields[i + 1]);
  return decodeMap<T>(map);
}

export function decodeMap<T>(map: Map<string, Buffer> | Record<string, Buffer>): T {
  const get = (k: string) => (map instanceof Map ? map.get(k) : map[k]);
  const json = get('j');
  if (!json) throw new Error('a pool message without its JSON part');
  return JSON.parse(json.toString(), (_key, v: unknown) => {
    if (!v || typeof v !== 'object' || !('$bin' in v)) return v;
    const ref = v as BinRef;
    const buf = get(`b${ref.$bin}`);
    if (!buf) throw new Error(`a pool message lacks its binary part b${ref.$bin}`);
    // A copy: Redis buffers are not aligned for Int32/Float32 views.
    const copy = new Uint8Array(buf).buffer;
    return ref.t === 'ArrayBuffer' ? copy : new TYPES[ref.t](copy);
  }) as T;
}
