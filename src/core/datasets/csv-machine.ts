// The byte-level state machine behind parseKaggleCsv: it validates every field of a Kaggle CSV strictly as the
// bytes arrive (header names, field counts, 1–3 digit values 0–255, labels 0–9, line ends) and writes pixels and
// labels as it goes. Errors are thrown as Stop(reason, line, column) for csv-errors.ts to word.

import { columnName, Stop, type DatasetKind } from './csv-errors.js';
import { PIXELS } from './mnist-digits.js';

// "pixel783" is the longest header name; anything longer is already wrong, so a header never buffers.
const MAX_NAME = 16;
const NL = Uint8Array.of(10);
// "0,0,0,0," read as a little-endian float64: a plain finite number, so == compares all 8 bytes exactly.
const ZEROS4 = new DataView(new TextEncoder().encode('0,0,0,0,').buffer).getFloat64(0, true);

export class Machine {
  kind: DatasetKind = 'train';
  ncols = 0;
  inHeader = true;
  crPending = false;
  line = 1;
  col = 0;
  val = 0;
  nd = 0;
  rows = 0;
  p = 0;
  capRows = 0;
  maxRows = 0;
  pixels: Uint8Array = new Uint8Array(0);
  labels = new Uint8Array(0);
  readonly name = new Uint8Array(MAX_NAME);
  nameLen = 0;

  constructor(
    readonly expected: DatasetKind | undefined,
    readonly total: number,
    /** Zeroed pixel storage to fill (shared with the packing worker), sized for the rows bound below. */
    readonly storage?: Uint8Array,
  ) {}

  feed(buf: Uint8Array, n: number, base: number): void {
    let i = 0;
    if (base === 0 && n >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3; // UTF-8 BOM
    if (this.crPending) {
      this.crPending = false;
      if (buf[i] !== 10) throw new Stop('cr', this.line, this.col + 1);
    }
    if (this.inHeader) i = this.header(buf, i, n);
    if (i < n) this.data(buf, i, n, base);
  }

  finish(): void {
    if (this.crPending) throw new Stop('cr', this.line, this.col + 1);
    if (this.inHeader) {
      if (this.col === 0 && this.nameLen === 0) throw new Stop('empty-file', 1, 1);
      this.header(NL, 0, 1);
    }
    if (this.col === 0 && this.nd === 0) {
      if (this.rows === 0) throw new Stop('no-rows', this.line, 1);
      return;
    }
    // A row cut right after a comma; otherwise a last row without its final newline, ended as if it had one.
    if (this.nd === 0) throw new Stop('truncated', this.line, this.col + 1);
    try {
      this.data(NL, 0, 1, this.total);
    } catch (err) {
      throw err instanceof Stop && err.reason === 'fewer' ? new Stop('truncated', err.line, err.column) : err;
    }
  }

  private header(buf: Uint8Array, i: number, n: number): number {
    for (; i < n; i++) {
      const c = buf[i];
      if (c === 44 || c === 10) {
        this.endName(c === 10);
        if (c === 10) return i + 1;
      } else if (c === 13) {
        if (i + 1 === n) this.crPending = true;
        else if (buf[i + 1] !== 10) throw new Stop('cr', 1, this.col + 1);
      } else {
        if (this.nameLen === MAX_NAME) throw this.nameStop(true);
        this.name[this.nameLen++] = c;
      }
    }
    return n;
  }

  private endName(last: boolean): void {
    const k = this.col;
    const text = Buffer.from(this.name.buffer, 0, this.nameLen).toString('utf8');
    if (k === 0) {
      const kind = text === 'label' ? 'train' : text === 'pixel0' ? 'test' : null;
      if (!kind) throw this.nameStop(false);
      if (this.expected && this.expected !== kind) throw new Stop('kind-mismatch', 1, 1, -1, kind);
      this.kind = kind;
      this.ncols = kind === 'train' ? PIXELS + 1 : PIXELS;
    } else if (text !== columnName(this.kind, k)) {
      throw this.nameStop(false);
    }
    if (!last && k === this.ncols - 1) throw new Stop('header-more', 1, k + 2);
    if (last && k < this.ncols - 1) throw new Stop('header-fewer', 1, k + 2);
    this.col = last ? 0 : k + 1;
    this.nameLen = 0;
    if (last) this.startData();
  }

  private nameStop(tooLong: boolean): Stop {
    const text = Buffer.from(this.name.buffer, 0, this.nameLen).toString('utf8') + (tooLong ? '…' : '');
    return new Stop(this.col === 0 ? 'first-name' : 'name', 1, this.col + 1, -1, text);
  }

  private startData(): void {
    this.inHeader = false;
    this.line = 2;
    // Every row takes at least 2 bytes per field, which bounds the row count by the file size.
    this.maxRows = Math.max(1, Math.ceil(this.total / (2 * this.ncols - 1)));
    if (this.storage && this.storage.length >= this.maxRows * PIXELS) {
      this.capRows = this.storage.length / PIXELS;
      this.pixels = this.storage;
    } else {
      this.capRows = Math.min(1024, this.maxRows);
      this.pixels = new Uint8Array(this.capRows * PIXELS);
    }
    this.labels = new Uint8Array(this.kind === 'train' ? this.capRows : 0);
  }

  private grow(): void {
    // One jump to the size bound; doubling only if the file grew while being read.
    this.capRows = this.capRows < this.maxRows ? this.maxRows : this.capRows * 2;
    const pixels = new Uint8Array(this.capRows * PIXELS);
    pixels.set(this.pixels.subarray(0, this.p));
    this.pixels = pixels;
    if (this.kind === 'train') {
      const labels = new Uint8Array(this.capRows);
      labels.set(this.labels.subarray(0, this.rows));
      this.labels = labels;
    }
  }

  // The hot loop: state lives in locals and is written back once per chunk.
  private data(buf: Uint8Array, i: number, n: number, base: number): void {
    let { col, val, nd, p, rows, line, pixels, labels } = this;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const ncols = this.ncols;
    const last = ncols - 1;
    const labelled = this.kind === 'train';
    for (; i < n; i++) {
      if (nd === 0 && col !== 0) {
        // Fastest path: a row's pixels after its first field when the buffer surely holds them all (4 bytes
        // each at most), so neither the column nor the buffer end needs checking per field. "0," — four pixels in
        // five — only moves on: the pixel array starts zeroed. Any other text stops it where the next one resumes.
        if (col === 1 && n - i > 4 * ncols) {
          let k = 1;
          for (; k < last; k++) {
            let v = buf[i] - 48;
            let c = buf[i + 1];
            if (v === 0 && c === 44) {
              p++;
              i += 2;
              // Zeros come in runs (a digit's background): 4 at a time while the 8 bytes read "0,0,0,0,".
              while (k + 4 < last && view.getFloat64(i, true) === ZEROS4) {
                p += 4;
                i += 8;
                k += 4;
              }
              continue;
            }
            if (v >>> 0 > 9) break;
            let len = 2;
            if (c !== 44) {
              let w = c - 48;
              if (w >>> 0 > 9) break;
              v = v * 10 + w;
              c = buf[i + 2];
              len = 3;
              if (c !== 44) {
                w = c - 48;
                if (w >>> 0 > 9 || buf[i + 3] !== 44) break;
                v = v * 10 + w;
                if (v > 255) break;
                len = 4;
              }
            }
            pixels[p++] = v;
            i += len;
          }
          col = k;
        }
        // Fast path for a whole mid-row pixel of 1–3 digits and its comma, while 4 bytes are at hand; anything
        // else (label, last field, line ends, errors) falls through to the byte-at-a-time machine below.
        // The decode repeats the one above on purpose: as a shared function the parser measured ~10% slower.
        while (i + 3 < n && col !== last) {
          let v = buf[i] - 48;
          if (v >>> 0 > 9) break;
          let c = buf[i + 1];
          let len = 2;
          if (c !== 44) {
            let w = c - 48;
            if (w >>> 0 > 9) break;
            v = v * 10 + w;
            c = buf[i + 2];
            len = 3;
            if (c !== 44) {
              w = c - 48;
              if (w >>> 0 > 9 || buf[i + 3] !== 44) break;
              v = v * 10 + w;
              if (v > 255) break;
              len = 4;
            }
          }
          pixels[p++] = v;
          col++;
          i += len;
        }
        if (i >= n) break;
      }
      const c = buf[i];
      const d = c - 48;
      if (d >= 0 && d <= 9) {
        val = val * 10 + d;
        if (++nd > 3) throw new Stop('value', line, col + 1, base + i + 1 - nd);
        continue;
      }
      if (c === 44 || c === 10) {
        if (nd === 0) throw new Stop(c === 10 && col === 0 ? 'empty-line' : 'empty-value', line, col + 1);
        if (col === 0 && labelled) {
          if (val > 9) throw new Stop('value', line, 1, base + i - nd);
          labels[rows] = val;
        } else {
          if (val > 255) throw new Stop('value', line, col + 1, base + i - nd);
          pixels[p++] = val;
        }
        val = 0;
        nd = 0;
        if (c === 44) {
          if (++col === ncols) throw new Stop('more', line, ncols + 1);
          continue;
        }
        if (col !== last) throw new Stop('fewer', line, col + 2);
        col = 0;
        line++;
        if (++rows === this.capRows) {
          this.p = p;
          this.rows = rows;
          this.grow();
          pixels = this.pixels;
          labels = this.labels;
        }
        continue;
      }
      if (c === 13) {
        if (i + 1 === n) this.crPending = true;
        else if (buf[i + 1] !== 10) throw new Stop('cr', line, col + 1);
        continue;
      }
      throw new Stop('value', line, col + 1, base + i - nd);
    }
    Object.assign(this, { col, val, nd, p, rows, line });
  }

  result(): { kind: DatasetKind; rows: number; pixels: Uint8Array; labels: Uint8Array | null } {
    const { rows, kind } = this;
    // Views, not copies: copying 33 MB of pixels would cost ~15 ms of a ~300 ms import.
    const exact = (a: Uint8Array, len: number) => a.subarray(0, len);
    return {
      kind,
      rows,
      pixels: exact(this.pixels, rows * PIXELS),
      labels: kind === 'train' ? exact(this.labels, rows) : null,
    };
  }
}
