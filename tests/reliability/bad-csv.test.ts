// Bad CSVs, generated: seeded mutations of a valid 2,000-row train.csv (so errors land on either side of the
// parser's 1 MiB chunk boundaries) and a 200 MB unterminated line. Each is rejected with FILE:LINE:COLUMN at the
// line the mutation touched, in bounded memory, and nothing reaches the store or the data folder. Files that are
// not Kaggle CSVs at all (a password file, a PNG, a binary) are named as such without quoting a byte of them.
import { execFile } from 'node:child_process';
import { createWriteStream, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { kaggleCsvHeader } from '../../src/core/datasets/kaggle-csv.js';
import { mulberry32 } from '../../src/shared/random.js';
import { rowFields } from '../fixtures/malformed-csv.js';
import { tempDir } from '../helpers/temp-home.js';

const ROWS = 2000;
const HEADER = kaggleCsvHeader('train');
const NL = 10;
const COMMA = 44;

let home: ReturnType<typeof tempDir>;
let files: ReturnType<typeof tempDir>;
let wb: Workbench;
let valid: Buffer;

beforeAll(() => {
  home = tempDir();
  files = tempDir('dw-csv-');
  wb = new Workbench({ home: home.path, sample: false });
  valid = Buffer.from(`${[HEADER, ...Array.from({ length: ROWS }, (_, n) => rowFields('train', n).join(','))].join('\n')}\n`);
});
afterAll(() => {
  wb.close();
  home.remove();
  files.remove();
});

const snapshot = () => ({
  datasets: wb.db.prepare('SELECT COUNT(*) FROM datasets').pluck().get(),
  images: wb.db.prepare('SELECT COUNT(*) FROM images').pluck().get(),
  files: readdirSync(home.path).sort(),
});

/** Bytes that can never appear in a valid Kaggle CSV row or header at any position. */
const BAD_BYTES = Array.from({ length: 256 }, (_, b) => b).filter((b) => !(b >= 48 && b <= 57) && b !== COMMA && b !== NL && b !== 13);

interface Mutant {
  what: string;
  bytes: Buffer;
  line: number;
}

function lineAt(buf: Buffer, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (buf[i] === NL) line++;
  return line;
}

function lineStart(buf: Buffer, line: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) offset = buf.indexOf(NL, offset) + 1;
  return offset;
}

function mutate(random: () => number): Mutant {
  const pick = (n: number) => Math.floor(random() * n);
  const v = valid;
  const kinds = ['insert', 'overwrite', 'nul', 'drop-comma', 'double-comma', 'join-lines', 'truncate', 'repeat-header', 'out-of-range'] as const;
  const kind = kinds[pick(kinds.length)];
  const at = pick(v.length);
  switch (kind) {
    case 'insert':
    case 'nul': {
      const byte = kind === 'nul' ? 0 : BAD_BYTES[pick(BAD_BYTES.length)];
      return { what: `${kind} 0x${byte.toString(16)} at ${at}`, bytes: Buffer.concat([v.subarray(0, at), Buffer.of(byte), v.subarray(at)]), line: lineAt(v, at) };
    }
    case 'overwrite': {
      const byte = BAD_BYTES[pick(BAD_BYTES.length)];
      const bytes = Buffer.from(v);
      bytes[at] = byte;
      return { what: `overwrite with 0x${byte.toString(16)} at ${at}`, bytes, line: lineAt(v, at) };
    }
    case 'drop-comma':
    case 'double-comma': {
      const c = v.indexOf(COMMA, at) >= 0 ? v.indexOf(COMMA, at) : v.indexOf(COMMA);
      const middle = kind === 'drop-comma' ? Buffer.alloc(0) : Buffer.of(COMMA, COMMA);
      return { what: `${kind} at ${c}`, bytes: Buffer.concat([v.subarray(0, c), middle, v.subarray(c + 1)]), line: lineAt(v, c) };
    }
    case 'join-lines': {
      const n = v.indexOf(NL, at) < v.length - 1 ? v.indexOf(NL, at) : v.indexOf(NL);
      return { what: `join the lines at ${n}`, bytes: Buffer.concat([v.subarray(0, n), v.subarray(n + 1)]), line: lineAt(v, n) };
    }
    case 'truncate': {
      // Cut inside a line with a comma still to come, so what is left is a short row, never a shorter valid file.
      let cut = Math.max(1, at);
      while (v[cut - 1] === NL || v.indexOf(COMMA, cut) === -1 || v.indexOf(COMMA, cut) > v.indexOf(NL, cut)) cut = (cut + 1) % v.length || 1;
      return { what: `truncate at ${cut}`, bytes: v.subarray(0, cut), line: lineAt(v, cut) };
    }
    case 'repeat-header': {
      const line = 2 + pick(ROWS);
      const start = lineStart(v, line);
      const end = v.indexOf(NL, start);
      return { what: `header repeated on line ${line}`, bytes: Buffer.concat([v.subarray(0, start), Buffer.from(HEADER), v.subarray(end)]), line };
    }
    case 'out-of-range': {
      const line = 2 + pick(ROWS);
      const column = 1 + pick(785);
      const fields = rowFields('train', line - 2);
      fields[column - 1] = column === 1 ? String(10 + pick(90)) : String(256 + pick(744));
      const start = lineStart(v, line);
      const end = v.indexOf(NL, start);
      return { what: `line ${line} field ${column} = ${fields[column - 1]}`, bytes: Buffer.concat([v.subarray(0, start), Buffer.from(fields.join(',')), v.subarray(end)]), line };
    }
  }
}

async function rejection(path: string): Promise<Error & { details?: unknown }> {
  const err = await wb.importDataset({ path }).then(
    () => null,
    (e: unknown) => e as Error,
  );
  expect(err, `${path} was accepted`).not.toBeNull();
  return err!;
}

const located = (file: string) => new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):(\\d+): \\S`);

describe('a generated corpus of malformed CSVs', () => {
  it('the unmutated file imports (the corpus is made of near-misses)', async () => {
    const file = join(files.path, 'valid.csv');
    writeFileSync(file, valid);
    expect(valid.length).toBeGreaterThan(2 * (1 << 20));
    const other = new Workbench({ home: join(files.path, 'scratch'), sample: false });
    try {
      expect((await other.importDataset({ path: file })).dataset.rows).toBe(ROWS);
    } finally {
      other.close();
    }
  });

  it('rejects 120 seeded mutations, each at the mutated line, adding nothing', async () => {
    const random = mulberry32(4242);
    const before = snapshot();
    const seen = new Set<string>();
    for (let i = 0; i < 120; i++) {
      const m = mutate(random);
      seen.add(m.what.split(' ')[0]);
      const file = join(files.path, `mutant-${i}.csv`);
      writeFileSync(file, m.bytes);
      const err = await rejection(file);
      const loc = located(file).exec(err.message);
      expect(loc, `${m.what}: ${err.message.slice(0, 300)}`).not.toBeNull();
      expect(Number(loc![1]), `${m.what}: ${err.message.slice(0, 300)}`).toBe(m.line);
      expect((err as { code?: string }).code).toBe('bad-input');
      expect(err.message.length).toBeLessThan(400);
      rmSync(file);
    }
    expect(seen.size).toBe(9);
    expect(snapshot()).toEqual(before);
  });

  it('rejects a 200 MB single unterminated line early, in bounded memory', async () => {
    const file = join(files.path, 'one-line.csv');
    const out = createWriteStream(file);
    out.write(`${HEADER}\n`);
    const chunk = Buffer.from('1,'.repeat(1 << 19)); // 1 MiB
    for (let written = 0; written < 200 * 1024 * 1024; written += chunk.length) {
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    const before = snapshot();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
    try {
      const err = await rejection(file);
      expect(err.message).toMatch(located(file));
      expect(err.message).toMatch(/:2:786: .*expected 785 fields \(label \+ 784 pixels\), found more/);
    } finally {
      clearInterval(sampler);
      rmSync(file);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(peak - baseline).toBeLessThan(64 * 1024 * 1024);
    expect(snapshot()).toEqual(before);
  });

  it('rejects a 200 MB line of one endless value in the header too', async () => {
    const file = join(files.path, 'one-name.csv');
    const out = createWriteStream(file);
    const chunk = Buffer.alloc(1 << 20, 'l'.charCodeAt(0));
    for (let written = 0; written < 200 * 1024 * 1024; written += chunk.length) {
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    const before = snapshot();
    try {
      const err = await rejection(file);
      expect(err.message).toMatch(located(file));
      expect(err.message).toMatch(/:1:1: /);
      expect(err.message.length).toBeLessThan(400);
    } finally {
      rmSync(file);
    }
    expect(snapshot()).toEqual(before);
  });
});

describe('a file that is not a Kaggle CSV', () => {
  const random = mulberry32(77);
  const noise = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
  /** Each file, and words of it that must never reach a message. */
  const strangers: { name: string; bytes: Buffer; leaks: string[] }[] = [
    { name: 'passwd', bytes: Buffer.from('root:x:0:0:root-secret-7f3a:/root:/bin/bash\nalice:x:1000:1000:Alice Secret,Room 7,,:/home/alice:/bin/bash\n'), leaks: ['root', 'secret', 'alice', 'bash', ':x:'] },
    { name: 'passwd-gecos-first', bytes: Buffer.from('alice:x:1000:1000:Alice Secret,Room 7,,:/home/alice:/bin/bash\n'), leaks: ['alice', 'Secret', ':x:'] },
    { name: 'shadow', bytes: Buffer.from('root:$6$saltsalt$hashhashhash:19000:0:99999:7:::\n'), leaks: ['root', '$6$', 'salt', 'hash'] },
    { name: 'one word a line', bytes: Buffer.from('Password123\nhunter2\n'), leaks: ['Password', 'hunter'] },
    { name: 'json', bytes: Buffer.from('{"apiKey":"sk-secret-99"}\n'), leaks: ['apiKey', 'sk-secret', '{'] },
    { name: 'png', bytes: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('\0\0\0\rIHDR'), noise(300)]), leaks: ['PNG', 'IHDR', '\ufffd', '\\u00'] },
    { name: 'elf', bytes: Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01\0'), noise(200)]), leaks: ['ELF', '\ufffd', '\\u00'] },
    { name: 'noise', bytes: noise(4096), leaks: ['\ufffd', '\\u00'] },
    { name: 'label then a password line', bytes: Buffer.from('label,root:x:0:0:root-secret-7f3a:/root\n'), leaks: ['root', 'secret'] },
  ];
  const clean = (message: string, file: string, leaks: string[], what: string) => {
    const words = message.slice(file.length); // the path is ours to name; what follows must not quote the file
    expect(message.startsWith(file), `${what}: ${message}`).toBe(true);
    expect(words, what).toMatch(/^:\d+:\d+: /);
    for (const leak of leaks) expect(words, `${what}: ${message}`).not.toContain(leak);
    // Printable ASCII plus the message's own typography only: no byte of the file comes through.
    expect(words, `${what}: ${message}`).toMatch(/^[\x20-\x7e…–×]*$/);
  };

  it('the contract names it without quoting it, whatever its bytes', async () => {
    const before = snapshot();
    for (const s of strangers) {
      const file = join(files.path, `${s.name}.csv`);
      writeFileSync(file, s.bytes);
      const err = await wb.call('datasets:import', { path: file }).then(() => null, (e: Error) => e);
      expect(err, s.name).not.toBeNull();
      clean(err!.message, file, s.leaks, s.name);
      expect(JSON.stringify((err as { details?: unknown }).details ?? null), s.name).not.toMatch(/root|secret|PNG|ELF/);
      rmSync(file);
    }
    const passwd = await wb.call('datasets:import', { path: '/etc/passwd' }).then(() => null, (e: Error) => e);
    clean(passwd!.message, '/etc/passwd', ['root', 'nologin', 'bash'], '/etc/passwd');
    expect(passwd!.message).toMatch(/^\/etc\/passwd:1:1: not a Kaggle CSV/);
    expect(snapshot()).toEqual(before);
  });

  it('the CLI’s stderr does not quote it either', async () => {
    const bin = join(process.cwd(), 'bin', 'digit-workbench.js');
    for (const s of strangers.filter((x) => ['passwd', 'png', 'noise'].includes(x.name))) {
      const file = join(files.path, `cli-${s.name}.csv`);
      writeFileSync(file, s.bytes);
      const r = await promisify(execFile)(process.execPath, [bin, '--home', join(files.path, 'cli-home'), 'import', file], { timeout: 60_000 }).then(
        () => null,
        (e: { code: number; stderr: string }) => e,
      );
      expect(r?.code, s.name).toBe(1);
      const line = r!.stderr.trim().split('\n').find((l) => l.includes(file)) ?? '';
      clean(line.slice(line.indexOf(file)), file, s.leaks, s.name);
      for (const leak of s.leaks) expect(r!.stderr, s.name).not.toContain(leak);
    }
  });
});
