/** Reading Prometheus text expositions in tests. */

/**
 * The value of one series of a Prometheus text exposition (labels given must all match; `''` means the label is
 * absent), or undefined.
 */
export function series(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = new Map([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => (got.get(k) ?? '') === v)) {
      if (sum !== undefined) throw new Error(`more than one series ${name} ${JSON.stringify(labels)}`);
      sum = Number(m[3]);
    }
  }
  return sum;
}
