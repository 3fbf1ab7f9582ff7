/** `map<string, string>`, the type of the packets' context and status. */
import type { TarsReader } from '../codec/reader.js';
import { TarsValues } from '../codec/values.js';
import type { TarsWriter } from '../codec/writer.js';

const S = TarsValues.string;

export function writeStringMap(w: TarsWriter, tag: number, m: ReadonlyMap<string, string>): void {
  w.writeMap(tag, m, S.write, S.write);
}

export function readStringMap(r: TarsReader, tag: number, required: boolean): Map<string, string> {
  return r.readMap(tag, required, S.read, S.read);
}
