/** Centrifugo protocol v2, JSON format: a frame is a batch of newline-separated JSON objects, both ways. */

/** A decoded command: `id` (absent for pongs and `send`) and one method field with its request object. */
export interface Command {
  id?: number;
  method: string;
  params: Record<string, unknown>;
}

/** Splits a frame into commands; a line that is not a JSON object gives `undefined` (a bad request). */
export function decodeBatch(frame: string): (Command | undefined)[] {
  const out: (Command | undefined)[] = [];
  for (const line of frame.split('\n')) {
    if (line.trim() === '') continue;
    out.push(decodeCommand(line));
  }
  return out;
}

function decodeCommand(line: string): Command | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const obj = parsed as Record<string, unknown>;
  const cmd: Command = { method: '', params: {} };
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'id') {
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) return undefined;
      cmd.id = value;
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      if (cmd.method !== '') return undefined;
      cmd.method = key;
      cmd.params = value as Record<string, unknown>;
    }
  }
  return cmd;
}

/** Joins replies and pushes into one frame. */
export function encodeBatch(items: readonly unknown[]): string {
  return items.map((i) => JSON.stringify(i)).join('\n');
}
