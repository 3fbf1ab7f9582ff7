/**
 * Binary strings over a real socket: fields and arguments declared with tars2ts `--binary-strings`
 * (test/fixtures/tars/Binary.tars) carry every byte 0x00-0xFF, invalid UTF-8 included, both ways and in every
 * packet version; default `string` arguments holding invalid UTF-8 are counted per servant and logged once.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { invalidUtf8Count, ObjectProxy, TarsServer, TarsValues } from '../../src/tars/index.js';
import { type Blob, StoreProxy, StoreServant } from '../fixtures/tars/generated/Binary.js';

const SERVANT = 'Test.BinServer.StoreObj';
const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);
/** Not UTF-8: a lone continuation byte, an overlong form, a truncated sequence, 0xFF. */
const INVALID_UTF8 = Uint8Array.from([0x61, 0x80, 0xc0, 0xaf, 0xe2, 0x82, 0xff]);

class Store extends StoreServant {
  readonly seen: Uint8Array[] = [];
  echo(raw: Uint8Array, blob: Blob): { ret: Uint8Array; rawOut: Uint8Array; blobOut: Blob } {
    this.seen.push(raw, blob.data, ...blob.parts);
    return { ret: blob.data, rawOut: raw, blobOut: { ...blob, label: `${blob.label}!` } };
  }
  measure(text: string): number {
    return text.length;
  }
}

function capture(): { lines: string[]; logger: pino.Logger } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((l) => l !== ''),
      );
      done();
    },
  });
  return { lines, logger: pino({ level: 'warn' }, sink) };
}

describe('binary strings through a generated servant', () => {
  let server: TarsServer;
  let store: Store;
  let log: ReturnType<typeof capture>;
  before(async () => {
    log = capture();
    store = new Store();
    server = new TarsServer({ port: 0, logger: log.logger });
    server.addServant(SERVANT, store, StoreServant.operations);
    await server.listen();
  });
  after(() => server.close());

  for (const version of [1, 2, 3] as const) {
    test(`bytes 0x00-0xFF arrive and come back intact (version ${version})`, async () => {
      const proxy = new ObjectProxy(`${SERVANT}@${server.endpoint}`, { version });
      try {
        store.seen.length = 0;
        const blob: Blob = { data: INVALID_UTF8, label: 'ü', parts: [ALL_BYTES, new Uint8Array(0)] };
        const out = await new StoreProxy(proxy).echo(ALL_BYTES, blob);
        assert.deepEqual(
          store.seen.map((b) => Buffer.from(b).toString('hex')),
          [ALL_BYTES, INVALID_UTF8, ALL_BYTES, new Uint8Array(0)].map((b) => Buffer.from(b).toString('hex')),
        );
        assert.deepEqual(Buffer.from(out.rawOut), Buffer.from(ALL_BYTES));
        assert.deepEqual(Buffer.from(out.ret), Buffer.from(INVALID_UTF8));
        assert.deepEqual(Buffer.from(out.blobOut.data), Buffer.from(INVALID_UTF8));
        assert.deepEqual(Buffer.from(out.blobOut.parts[0] as Uint8Array), Buffer.from(ALL_BYTES));
        assert.equal(out.blobOut.label, 'ü!');
        assert.equal(server.invalidUtf8Count(SERVANT), 0);
      } finally {
        await proxy.close();
      }
    });
  }

  test('invalid UTF-8 in a default string argument is counted per call and logged once per servant', async () => {
    const proxy = new ObjectProxy(`${SERVANT}@${server.endpoint}`);
    try {
      const processBefore = invalidUtf8Count();
      // `measure(string text)` is a default string: send raw bytes into it, as a C++ peer may.
      const measure = (): Promise<number> =>
        proxy.invoke(
          'measure',
          (a) => a.write(1, 'text', INVALID_UTF8, TarsValues.binaryString.write),
          (r) => r.read(0, '', TarsValues.int32.read),
        );
      const lengths = [await measure(), await measure()];
      // 'a', then U+FFFD for 0x80, 0xC0, 0xAF, the truncated E2 82 and 0xFF.
      assert.deepEqual(lengths, [6, 6]);
      assert.equal(server.invalidUtf8Count(SERVANT), 2);
      assert.ok(invalidUtf8Count() - processBefore >= 2);
      const warnings = log.lines.filter((l) => l.includes('not valid UTF-8'));
      assert.equal(warnings.length, 1, log.lines.join('\n'));
      assert.match(warnings[0] as string, new RegExp(`"servant":"${SERVANT}"`));
    } finally {
      await proxy.close();
    }
  });
});
