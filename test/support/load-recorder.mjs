// Module hooks (node:module register) that append every resolved module URL to a file, one per line: the probe of
// test/integration/backend-loading.test.ts reads it to tell which packages a process loaded. Plain JavaScript,
// since hooks run on their own thread before any TypeScript loader sees them.
import { appendFileSync } from 'node:fs';

let file;

export function initialize(data) {
  file = data.file;
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(file, `${resolved.url}\n`);
  return resolved;
}
