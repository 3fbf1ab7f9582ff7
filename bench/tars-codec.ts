// Encode/decode throughput of a realistic Tars struct (a chat message with a nested profile): our codec against
// @tars/stream 2.0.3 in the same process. Prints a table and writes bench/results/tars-codec.md.
// Run: npx tsx bench/tars-codec.ts   (BENCH_SECONDS=1.5 per case by default)
import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { TarsReader, TarsValues, TarsWriter } from '../src/tars/codec/index.js';
import {
  RefTars,
  type RefInputStream,
  type RefList,
  type RefMap,
  type RefOutputStream,
  type RefStructValue,
} from '../test/support/tars-stream-ref.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 1.5);

// ---- The struct, as tars2ts would generate it ----
interface Profile {
  uid: number;
  nick: string;
  level: number;
  vip: boolean;
  score: number;
}
interface ChatMessage {
  msgId: bigint;
  roomId: number;
  from: string;
  text: string;
  timestamp: bigint;
  mentions: string[];
  meta: Map<string, string>;
  sender: Profile;
  attachment: Uint8Array;
  flags: number;
}
const Profile = {
  name: 'Chat.Profile',
  write(w: TarsWriter, v: Profile): void {
    w.writeInt32(0, v.uid);
    w.writeString(1, v.nick);
    w.writeInt16(2, v.level);
    w.writeBool(3, v.vip);
    w.writeDouble(4, v.score);
  },
  read(r: TarsReader): Profile {
    return {
      uid: r.readInt32(0, true, 0),
      nick: r.readString(1, true, ''),
      level: r.readInt16(2, false, 0),
      vip: r.readBool(3, false, false),
      score: r.readDouble(4, false, 0),
    };
  },
  create: (): Profile => ({ uid: 0, nick: '', level: 0, vip: false, score: 0 }),
};
const S = TarsValues.string;
const EMPTY = new Uint8Array(0);
function writeMessage(w: TarsWriter, v: ChatMessage): void {
  w.writeInt64(0, v.msgId);
  w.writeInt32(1, v.roomId);
  w.writeString(2, v.from);
  w.writeString(3, v.text);
  w.writeInt64(4, v.timestamp);
  w.writeList(5, v.mentions, S.write);
  w.writeMap(6, v.meta, S.write, S.write);
  w.writeStruct(7, v.sender, Profile.write);
  w.writeBytes(8, v.attachment);
  w.writeInt32(9, v.flags);
}
function readMessage(r: TarsReader): ChatMessage {
  return {
    msgId: r.readInt64(0, true, 0n),
    roomId: r.readInt32(1, true, 0),
    from: r.readString(2, true, ''),
    text: r.readString(3, true, ''),
    timestamp: r.readInt64(4, true, 0n),
    mentions: r.readList(5, false, S.read),
    meta: r.readMap(6, false, S.read, S.read),
    sender: r.readStruct(7, false, Profile.read, Profile.create),
    attachment: r.readBytes(8, false, EMPTY),
    flags: r.readInt32(9, false, 0),
  };
}

const msg: ChatMessage = {
  msgId: 1732712345678901n,
  roomId: 4242,
  from: 'alice_1987',
  text: 'Hey team, the deploy finished 👍 — logs are in #ops; ping me if the p99 latency climbs again.',
  timestamp: 1732712345678n,
  mentions: ['bob', 'carol', 'dave'],
  meta: new Map([
    ['client', 'web/3.14.1'],
    ['lang', 'en-US'],
    ['trace', '7f9c2b1e4a'],
    ['region', 'ap-southeast-1'],
  ]),
  sender: { uid: 100234, nick: 'Alice', level: 37, vip: true, score: 98.25 },
  attachment: new Uint8Array(64).map((_, i) => i),
  flags: 5,
};

// ---- The same struct for @tars/stream, as its generator would make it (long as a JS number) ----
interface RefMessage extends RefStructValue {
  v: {
    msgId: number;
    roomId: number;
    from: string;
    text: string;
    timestamp: number;
    mentions: RefList<string>;
    meta: RefMap<string>;
    sender: RefStructValue & { v: Profile };
    attachment: InstanceType<typeof RefTars.BinBuffer>;
    flags: number;
  };
}
const refProfileType = {
  _readFrom(is: RefInputStream): RefStructValue & { v: Profile } {
    return refProfile({
      uid: is.readInt32(0, true, 0),
      nick: is.readString(1, true, ''),
      level: is.readInt16(2, false, 0),
      vip: is.readBoolean(3, false, false),
      score: is.readDouble(4, false, 0),
    });
  },
};
function refProfile(p: Profile): RefStructValue & { v: Profile } {
  return {
    v: p,
    _writeTo(os: RefOutputStream) {
      os.writeInt32(0, p.uid);
      os.writeString(1, p.nick);
      os.writeInt16(2, p.level);
      os.writeBoolean(3, p.vip);
      os.writeDouble(4, p.score);
    },
  };
}
function refMessage(v: RefMessage['v']): RefMessage {
  return {
    v,
    _writeTo(os) {
      os.writeInt64(0, v.msgId);
      os.writeInt32(1, v.roomId);
      os.writeString(2, v.from);
      os.writeString(3, v.text);
      os.writeInt64(4, v.timestamp);
      os.writeList(5, v.mentions);
      os.writeMap(6, v.meta);
      os.writeStruct(7, v.sender);
      os.writeBytes(8, v.attachment);
      os.writeInt32(9, v.flags);
    },
  };
}
function refReadMessage(is: RefInputStream): RefMessage {
  return refMessage({
    msgId: is.readInt64(0, true, 0),
    roomId: is.readInt32(1, true, 0),
    from: is.readString(2, true, ''),
    text: is.readString(3, true, ''),
    timestamp: is.readInt64(4, true, 0),
    mentions: is.readList(5, false, RefTars.List<string>(RefTars.String)),
    meta: is.readMap(6, false, RefTars.Map<string>(RefTars.String, RefTars.String)),
    sender: is.readStruct(7, false, refProfileType),
    attachment: is.readBytes(8, false, RefTars.BinBuffer),
    flags: is.readInt32(9, false, 0),
  });
}
const mentions = RefTars.List<string>(RefTars.String);
for (const m of msg.mentions) mentions.push(m);
const meta = RefTars.Map<string>(RefTars.String, RefTars.String);
for (const [k, v] of msg.meta) meta.insert(k, v);
const refMsg = refMessage({
  msgId: Number(msg.msgId),
  roomId: msg.roomId,
  from: msg.from,
  text: msg.text,
  timestamp: Number(msg.timestamp),
  mentions,
  meta,
  sender: refProfile(msg.sender),
  attachment: new RefTars.BinBuffer(Buffer.from(msg.attachment)),
  flags: msg.flags,
});

// ---- Harness ----
// The machine is shared, so cases are interleaved over several rounds and each keeps its best round: background
// load then slows both codecs alike instead of whichever case ran at the wrong moment.
const ROUNDS = 5;
let sink = 0;
function measureOnce(fn: () => number, seconds: number): number {
  let ops = 0;
  const start = process.hrtime.bigint();
  const limit = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  while (elapsed < limit) {
    for (let i = 0; i < 1000; i++) sink += fn();
    ops += 1000;
    elapsed = process.hrtime.bigint() - start;
  }
  return ops / (Number(elapsed) / 1e9);
}
function measureAll(cases: Record<string, () => number>): Record<string, number> {
  const best: Record<string, number> = {};
  for (const [name, fn] of Object.entries(cases)) {
    for (let i = 0; i < 20_000; i++) sink += fn(); // warm-up
    best[name] = 0;
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of Object.entries(cases)) {
      best[name] = Math.max(best[name] ?? 0, measureOnce(fn, SECONDS / ROUNDS));
    }
  }
  return best;
}

const reused = new TarsWriter();
const encodeOurs = (): Uint8Array => {
  const w = new TarsWriter();
  writeMessage(w, msg);
  return w.toBytes();
};
const encodeOursReused = (): Uint8Array => {
  reused.reset();
  writeMessage(reused, msg);
  return reused.toBytes();
};
const encodeOursStatic = (): Uint8Array => TarsWriter.encode(msg, writeMessage);
const encodeRef = (): Buffer => {
  const os = new RefTars.TarsOutputStream();
  refMsg._writeTo(os);
  return os.getBinBuffer().toNodeBuffer();
};

const oursBytes = Buffer.from(encodeOurs());
const refBytes = encodeRef();
if (!oursBytes.equals(refBytes) || !Buffer.from(encodeOursStatic()).equals(refBytes))
  throw new Error('encodings differ: the benchmark would compare different work');
const decoded = readMessage(new TarsReader(refBytes));
if (decoded.text !== msg.text || decoded.msgId !== msg.msgId) throw new Error('decode mismatch');

const m = measureAll({
  encRef: () => encodeRef().length,
  encOurs: () => encodeOurs().length,
  encOursStatic: () => encodeOursStatic().length,
  encOursReused: () => encodeOursReused().length,
  decRef: () => refReadMessage(new RefTars.TarsInputStream(new RefTars.BinBuffer(refBytes))).v.flags,
  decOurs: () => readMessage(new TarsReader(refBytes)).flags,
});
const get = (k: string): number => m[k] ?? 0;
const rows: [string, number, number][] = [
  ['encode, `TarsWriter.encode` (shared scratch writer)', get('encOursStatic'), get('encRef')],
  ['encode, `new TarsWriter()` per message', get('encOurs'), get('encRef')],
  ['encode, one reused `TarsWriter`', get('encOursReused'), get('encRef')],
  ['decode', get('decOurs'), get('decRef')],
];

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const header = '| case | tars-ws ops/s | @tars/stream ops/s | ratio |\n|---|---:|---:|---:|';
const table = rows.map(([n, o, r]) => `| ${n} | ${fmt(o)} | ${fmt(r)} | ${(o / r).toFixed(2)}x |`).join('\n');
console.log(
  `ChatMessage, ${oursBytes.length} bytes encoded, ${SECONDS}s per case in ${ROUNDS} rounds, best round`,
);
console.log(header + '\n' + table);

const cpuModel =
  /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown';
let nproc = String(cpus().length);
try {
  nproc = execSync('nproc').toString().trim();
} catch {
  // nproc missing: keep os.cpus()
}
const md = `# Tars codec benchmark

Encode and decode of a realistic struct (\`ChatMessage\`: two longs, ints, four strings incl. multi-byte UTF-8,
\`vector<string>\`, \`map<string,string>\` of 4, a nested \`Profile\` struct, 64-byte \`vector<byte>\`;
${oursBytes.length} bytes encoded, byte-identical for both codecs) with tars-ws's codec and @tars/stream 2.0.3 in
the same process. @tars/stream carries \`long\` as a JS number (its default, faster than its string mode);
tars-ws as bigint. "ratio" is tars-ws / @tars/stream.

Command: \`npx tsx bench/tars-codec.ts\` (${SECONDS}s per case after a warm-up, split into ${ROUNDS} interleaved
rounds; each case reports its best round, since the machine is shared)
Machine: ${nproc} CPUs (nproc), ${cpuModel}, Node ${process.version}
Date: ${new Date().toISOString()}

${header}
${table}
`;
writeFileSync(new URL('./results/tars-codec.md', import.meta.url), md);
if (sink === 0.5) console.log(sink);
