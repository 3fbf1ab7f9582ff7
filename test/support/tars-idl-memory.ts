/** Loads .tars sources from memory for the IDL and tars2ts tests: files live under /idl/, shown without it. */
import { loadTarsProgram, type TarsProgram } from '../../src/tars/idl/index.js';

export function loadMemory(files: Record<string, string>, roots: string[] = ['main.tars']): TarsProgram {
  return loadTarsProgram(
    roots.map((r) => `/idl/${r}`),
    {
      readFile: (p) => {
        const src = files[p.slice('/idl/'.length)];
        if (src === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
        return src;
      },
      displayName: (p) => p.slice('/idl/'.length),
    },
  );
}
