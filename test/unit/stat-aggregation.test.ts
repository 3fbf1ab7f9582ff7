import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { StatAggregator } from '../../src/platform/stats/stat-aggregator.js';
import { NOT_FOUND, OTHER, StatCollector } from '../../src/platform/stats/stat-collector.js';
import { mergeRecord, Outcome, StatCounter } from '../../src/stats/stat-counter.js';
import type { StatDelta } from '../../src/platform/stats/stat-delta.js';
import { MemoryStatStore } from '../../src/stats/stat-store-memory.js';
import type { StatStore } from '../../src/stats/stat-store.js';

const silent = pino({ level: 'silent' });

describe('StatCounter', () => {
  it('puts a latency in the first bucket whose bound it does not exceed', () => {
    const c = new StatCounter();
    for (const ms of [0, 5, 5.01, 10, 49, 100, 150, 500, 999, 2000, 3000]) c.add(Outcome.Success, ms);
    assert.deepEqual(c.toRecord(), {
      count: 11,
      timeoutCount: 0,
      execCount: 0,
      totalRspTime: 0 + 5 + 5.01 + 10 + 49 + 100 + 150 + 500 + 999 + 2000 + 3000,
      maxRspTime: 3000,
      minRspTime: 0,
      b5: 2,
      b10: 2,
      b50: 1,
      b100: 1,
      b200: 1,
      b500: 1,
      b1000: 1,
      b2000: 1,
      b3000: 1,
    });
  });

  it('counts a latency above 3000 ms in the last bucket', () => {
    const c = new StatCounter();
    c.add(Outcome.Success, 45_000);
    assert.equal(c.toRecord().b3000, 1);
  });

  it('reports a true minimum, not zero', () => {
    const c = new StatCounter();
    c.add(Outcome.Success, 40);
    c.add(Outcome.Success, 12);
    c.add(Outcome.Success, 30);
    assert.equal(c.toRecord().minRspTime, 12);
    assert.equal(c.toRecord().maxRspTime, 40);
  });

  it('counts errors and timeouts apart, without their times', () => {
    const c = new StatCounter();
    c.add(Outcome.Error, 7);
    c.add(Outcome.Timeout, 3000);
    c.add(Outcome.Timeout, 3000);
    assert.deepEqual(c.toRecord(), {
      count: 0,
      timeoutCount: 2,
      execCount: 1,
      totalRspTime: 0,
      maxRspTime: 0,
    });
  });

  it('is empty again after reset', () => {
    const c = new StatCounter();
    c.add(Outcome.Success, 1);
    c.reset();
    assert.equal(c.empty, true);
    assert.equal(c.toRecord().minRspTime, undefined);
  });
});

describe('mergeRecord', () => {
  it('sums counts and buckets and keeps the extreme max and min', () => {
    const a = { count: 2, maxRspTime: 8, minRspTime: 3, b5: 1, totalRspTime: 11 };
    mergeRecord(a, { count: 1, maxRspTime: 20, minRspTime: 1, b50: 1, totalRspTime: 20 });
    assert.deepEqual(a, { count: 3, maxRspTime: 20, minRspTime: 1, b5: 1, b50: 1, totalRspTime: 31 });
  });

  it('keeps the minimum of the side that had one when the other had no success', () => {
    const a = { count: 0, execCount: 1 };
    mergeRecord(a, { count: 1, minRspTime: 9, maxRspTime: 9 });
    assert.equal((a as Record<string, number>).minRspTime, 9);
  });
});

describe('StatCollector', () => {
  it('keys WebSocket commands by name and outcome', () => {
    const c = new StatCollector();
    c.message('subscribe', true, 1);
    c.message('subscribe', true, 2);
    c.message('subscribe', false, 3);
    const entries = c.drain();
    assert.deepEqual(
      entries.map((e) => [e.kind, e.name, e.ret, e.record.count, e.record.execCount]),
      [
        ['ws', 'subscribe', 0, 2, 0],
        ['ws', 'subscribe', -1, 0, 1],
      ],
    );
  });

  it('keys HTTP routes by status, counts 4xx/5xx as failures and folds 404s into one name', () => {
    const c = new StatCollector();
    c.http('/Index/pushAll', 200, 1);
    c.http('/Index/pushAll', 403, 1);
    c.http('/nope/a', 404, 1);
    c.http('/nope/b', 404, 1);
    const got = c.drain().map((e) => [e.name, e.ret, e.record.count, e.record.execCount]);
    assert.deepEqual(got, [
      ['/Index/pushAll', 200, 1, 0],
      ['/Index/pushAll', 403, 0, 1],
      [NOT_FOUND, 404, 0, 2],
    ]);
  });

  it('keys Tars calls by servant, function, endpoint and iRet; a timeout counts as a timeout', () => {
    const c = new StatCollector();
    c.call('A.B.HelloObj', 'hello', '127.0.0.1', 18600, 0, 3, false);
    c.call('A.B.HelloObj', 'hello', '127.0.0.1', 18600, -7, 3000, true);
    const got = c.drain().map((e) => [e.name, e.ret, e.record.count, e.record.timeoutCount]);
    assert.deepEqual(got, [
      ['A.B.HelloObj\nhello\n127.0.0.1\n18600', 0, 1, 0],
      ['A.B.HelloObj\nhello\n127.0.0.1\n18600', -7, 0, 1],
    ]);
  });

  it('hands each count over once: drain resets, an idle key is not sent again', () => {
    const c = new StatCollector();
    c.message('ping', true, 1);
    assert.equal(c.drain().length, 1);
    assert.deepEqual(c.drain(), []);
    c.message('ping', true, 1);
    assert.equal(c.drain()[0]?.record.count, 1);
  });

  it('counts names past the per-kind limit under one name', () => {
    const c = new StatCollector({ maxNamesPerKind: 2 });
    for (const cmd of ['a', 'b', 'c', 'd']) c.message(cmd, true, 1);
    const got = c.drain().map((e) => [e.name, e.record.count]);
    assert.deepEqual(got, [
      ['a', 1],
      ['b', 1],
      [OTHER, 2],
    ]);
  });
});

function delta(entries: StatDelta['entries'], connections = 0): StatDelta {
  return {
    elapsedMs: 1000,
    entries,
    gauges: {
      connections,
      messagesIn: 10,
      messagesOut: 20,
      rssBytes: 1 << 20,
      heapUsedBytes: 1 << 20,
      lagMaxMs: 2,
    },
  };
}

describe('StatAggregator', () => {
  it('adds the deltas of several workers into one record per key', async () => {
    const store = new MemoryStatStore();
    const agg = new StatAggregator(store, silent);
    const rec = (count: number, max: number, min: number) => ({ count, maxRspTime: max, minRspTime: min });
    agg.ingest(0, delta([{ kind: 'ws', name: 'ping', ret: 0, record: rec(2, 5, 1) }]));
    agg.ingest(1, delta([{ kind: 'ws', name: 'ping', ret: 0, record: rec(3, 9, 2) }]));
    await agg.flush();
    agg.ingest(0, delta([{ kind: 'ws', name: 'ping', ret: 0, record: rec(1, 4, 0.5) }]));
    await agg.flush();
    assert.deepEqual(await store.getAll('ws\t0\tping'), { count: 6, maxRspTime: 9, minRspTime: 0.5 });
  });

  it('samples properties as the sum over workers', async () => {
    const store = new MemoryStatStore();
    const agg = new StatAggregator(store, silent);
    agg.ingest(0, delta([], 3));
    agg.ingest(1, delta([], 4));
    agg.sample();
    agg.dropSource(1);
    agg.sample();
    await agg.flush();
    assert.deepEqual(await store.getAll('prop\tconnections'), { sum: 10, count: 2, max: 7, min: 3 });
    assert.equal((await store.getAll('prop\tmessagesInPerSec')).max, 20);
  });

  it('keeps records the store refused and merges them on the next flush', async () => {
    const memory = new MemoryStatStore();
    let down = true;
    const flaky: StatStore = Object.assign(Object.create(memory) as StatStore, {
      merge: (key: string, r: Record<string, number>) =>
        down ? Promise.reject(new Error('down')) : memory.merge(key, r),
    });
    const agg = new StatAggregator(flaky, silent);
    agg.ingest(0, delta([{ kind: 'http', name: '/x', ret: 200, record: { count: 1 } }]));
    await agg.flush();
    assert.equal(agg.storeErrors, 1);
    agg.ingest(0, delta([{ kind: 'http', name: '/x', ret: 200, record: { count: 2 } }]));
    down = false;
    await agg.flush();
    assert.deepEqual(await memory.getAll('http\t200\t/x'), { count: 3 });
  });
});
