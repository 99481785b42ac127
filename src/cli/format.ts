// Human output for the CLI: aligned tables on stdout, a progress bar on stderr when it is a terminal.

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const numeric = headers.map((_, c) => rows.length > 0 && rows.every((r) => typeof r[c] === 'number'));
  const line = (r: string[]) =>
    r.map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  return [line(cells[0]), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** A throttled one-line progress bar; does nothing when stderr is not a terminal (CI logs, pipes). */
export function progressBar(label: string): { update(fraction: number, suffix?: string): void; done(): void } {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  return {
    update(fraction, suffix = '') {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100 && fraction < 1) return;
      last = now;
      const width = 30;
      const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
      process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${suffix}\x1b[K`);
    },
    done() {
      if (tty) process.stderr.write('\r\x1b[K');
    },
  };
}

/** A count as the views write it: thousands separated ("8,000 rows"), so the terminal and the app agree. */
export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
