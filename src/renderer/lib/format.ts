// Number, time and metric formatting shared by the views (tabular, compact, desktop-tool style).

export function pct(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined ? '—' : `${(v * 100).toFixed(digits)}%`;
}

export function fixed(v: number | null | undefined, digits = 4): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);
}

export function int(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : Math.round(v).toLocaleString('en-US');
}

/** Learning rates span decades: scientific notation below 0.01. */
export function lr(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  return v !== 0 && Math.abs(v) < 0.01 ? v.toExponential(1).replace('e-', 'e−') : String(v);
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 ** 2).toFixed(1)} MB`;
}

export function date(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** An error as the core sent it: its message names the field, file or line. */
export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** "1 file", "2 files", "1,000 images": a count with its noun in the right number. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${int(n)} ${n === 1 ? singular : plural}`;
}

/** A status word as every view writes it ("Completed", "Pruned"): capitalised in the text itself, not by CSS. */
export function statusWord(status: string): string {
  return status.charAt(0).toUpperCase() + status.slice(1);
}
