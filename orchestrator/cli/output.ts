/** How CLI commands print: `--json` for scripts, aligned text for people, logs on stderr. */

export const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

export function print(value: unknown, opts: { json?: boolean }, human: () => string): void {
  console.log(opts.json === true ? JSON.stringify(value, null, 2) : human());
}

/** A table of rows with aligned columns. */
export function table(
  rows: ReadonlyArray<Record<string, string | number | null>>,
  columns: readonly string[],
): string {
  if (rows.length === 0) return '(none)';
  const cells = [columns, ...rows.map((r) => columns.map((c) => String(r[c] ?? '-')))];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => (row[i] as string).length)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] as number))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A progress line that rewrites itself on a terminal and prints on change elsewhere (CI logs). */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): {
  update: (line: string) => void;
  end: () => void;
} {
  let last = '';
  return {
    update: (line) => {
      if (line === last) return;
      last = line;
      if (stream.isTTY) stream.write(`\r\x1b[2K${line}`);
      else stream.write(`${line}\n`);
    },
    end: () => {
      if (stream.isTTY && last !== '') stream.write('\n');
    },
  };
}

export const when = (ms: number | null): string =>
  ms === null ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z');
