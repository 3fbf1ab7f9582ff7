// Specification of argument encodings: version 1 positional tags, version 3 TUP name map.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TarsDecodeError, TarsEncodeError, TarsReader, TarsValues } from '../../src/tars/codec/index.js';
import {
  TarsArgReader,
  TarsArgWriter,
  TupArgReader,
  TupArgWriter,
  createArgReader,
  createArgWriter,
} from '../../src/tars/packet/index.js';

const S = TarsValues.string;
const I = TarsValues.int32;

test('version 1 writes argument i at tag i in one buffer', () => {
  const a = new TarsArgWriter();
  a.write(1, 'no', 5, I.write);
  a.write(2, 'name', 'x', S.write);
  assert.equal(Buffer.from(a.toBytes()).toString('hex'), '1005260178');
});

test('version 1 reads arguments in any order', () => {
  const a = createArgWriter(1);
  a.write(0, '', 'ret', S.write);
  a.write(1, 'out1', 7, I.write);
  a.write(2, 'out2', 'o', S.write);
  const r = createArgReader(1, a.toBytes());
  assert.equal(r.read(2, 'out2', S.read), 'o');
  assert.equal(r.read(0, '', S.read), 'ret');
  assert.equal(r.read(1, 'out1', I.read), 7);
});

test('version 1 reports an absent argument with its tag', () => {
  const r = new TarsArgReader(new Uint8Array(0));
  assert.throws(
    () => r.read(1, 'no', I.read),
    (e: unknown) => e instanceof TarsDecodeError && e.code === 'TARS_REQUIRED_MISSING' && e.tag === 1,
  );
});

test('version 3 writes a map from name to the value encoded alone at tag 0', () => {
  const a = new TupArgWriter();
  a.write(0, '', 300, I.write);
  a.write(1, 'name', 'x', S.write);
  const r = new TarsReader(a.toBytes());
  const m = r.readMap(0, true, S.read, TarsValues.bytes.read);
  assert.deepEqual(
    [...m].map(([k, v]) => [k, Buffer.from(v).toString('hex')]),
    [
      ['', '01012c'],
      ['name', '060178'],
    ],
  );
});

test('version 3 reads by name, whatever the tag', () => {
  const a = createArgWriter(3);
  a.write(1, 'b', 'bee', S.write);
  a.write(2, 'a', 1, I.write);
  const r = createArgReader(3, a.toBytes());
  assert.equal(r.read(9, 'a', I.read), 1);
  assert.equal(r.read(0, 'b', S.read), 'bee');
  assert.deepEqual(new TupArgReader(a.toBytes()).names(), ['b', 'a']);
});

test('version 3 reports an absent argument by name', () => {
  const r = createArgReader(3, createArgWriter(3).toBytes());
  assert.throws(
    () => r.read(1, 'missing', I.read),
    (e: unknown) =>
      e instanceof TarsDecodeError && e.code === 'TARS_REQUIRED_MISSING' && /"missing"/.test(e.message),
  );
});

test('version 2 (TUP complex) is read by name when the caller gives no type name', () => {
  const inner = new Map([['int32', Buffer.from('0005', 'hex')]]);
  const w = createArgWriter(1) as TarsArgWriter;
  w.write(0, '', new Map([['n', inner]]), TarsValues.map(S, TarsValues.map(S, TarsValues.bytes)).write);
  assert.equal(createArgReader(2, w.toBytes()).read(0, 'n', I.read), 5);
});

test('unsupported versions are refused with typed errors', () => {
  assert.throws(() => createArgWriter(5), TarsEncodeError);
  assert.throws(
    () => createArgReader(5, new Uint8Array()),
    (e: unknown) => e instanceof TarsDecodeError && e.code === 'TARS_UNSUPPORTED_VERSION',
  );
});

test('version 2 writes each argument under its type name and reads it back by name and type', () => {
  const a = createArgWriter(2);
  a.write(1, 'n', 5, I.write, I.typeName);
  a.write(2, 's', 'x', S.write, S.typeName);
  const r = createArgReader(2, a.toBytes());
  assert.equal(r.read(2, 's', S.read, 'string'), 'x');
  assert.equal(r.read(1, 'n', I.read, 'int32'), 5);
});

test('version 2 refuses to write an argument without a type name', () => {
  assert.throws(
    () => createArgWriter(2).write(1, 'n', 5, I.write),
    (e: unknown) => e instanceof TarsEncodeError && e.code === 'TARS_MISSING_TYPE_NAME',
  );
});

test('version 2 picks the entry of the expected type when an argument has several', () => {
  const byType = new Map([
    ['int32', Buffer.from('0005', 'hex')],
    ['string', Buffer.from('060178', 'hex')],
  ]);
  const w = createArgWriter(1) as TarsArgWriter;
  w.write(0, '', new Map([['n', byType]]), TarsValues.map(S, TarsValues.map(S, TarsValues.bytes)).write);
  const r = createArgReader(2, w.toBytes());
  assert.equal(r.read(0, 'n', S.read, 'string'), 'x');
  assert.throws(
    () => r.read(0, 'n', I.read),
    (e: unknown) => e instanceof TarsDecodeError,
  );
});
