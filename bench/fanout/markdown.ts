/** Markdown tables and number formats shared by the benchmarks' reports. */

export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n') + '\n';
}

/** Keeps a free text (an error message) inside its table cell. */
export function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Milliseconds, two decimals below 10. */
export function ms(n: number): string {
  return n.toFixed(n < 10 ? 2 : 1);
}

export function percent(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : 'n/a';
}

/** `a / b` as `1.23x`; n/a when either is missing. */
export function ratio(a: number, b: number): string {
  return a > 0 && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a';
}
