/**
 * Pure parts of the recovery benchmark and the fan-out benchmark's --history flag: how a subscribe reply is judged a
 * full recovery, how Redis counters are differenced, which targets and results file --history picks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseOptions } from '../../bench/fanout/options.js';
import { recoveryProblem } from '../../bench/recovery/client.js';
import { redisDelta } from '../../bench/recovery/redis-stats.js';

const SINCE = { offset: 4, epoch: 'e1' };
const pubs = (...offsets: number[]): { offset: number }[] => offsets.map((offset) => ({ offset }));

describe('bench recovery: recoveryProblem', () => {
  it('accepts recovered with every missed publication in order from the next offset', () => {
    assert.equal(recoveryProblem({ recovered: true, publications: pubs(5, 6, 7) }, SINCE, 3), undefined);
  });

  it('refuses a reply that is not recovered, is short, or skips an offset', () => {
    assert.equal(
      recoveryProblem({ recovered: false, publications: pubs(5) }, SINCE, 1),
      'recovered is not true',
    );
    assert.equal(
      recoveryProblem({ recovered: true, publications: pubs(5, 6) }, SINCE, 3),
      '2 publications instead of 3',
    );
    assert.equal(
      recoveryProblem({ recovered: true, publications: pubs(5, 7) }, SINCE, 2),
      'publication 1 has offset 7',
    );
  });
});

describe('bench recovery: redisDelta', () => {
  it('counts the calls made between the samples, leaving out the samples own INFO', () => {
    const before = {
      calls: new Map([
        ['evalsha', 10],
        ['info', 3],
      ]),
      cpuSeconds: 1,
    };
    const after = {
      calls: new Map([
        ['evalsha', 30],
        ['xrange', 20],
        ['info', 9],
      ]),
      cpuSeconds: 1.5,
    };
    const d = redisDelta(before, after);
    assert.deepEqual(
      [...d.calls],
      [
        ['evalsha', 20],
        ['xrange', 20],
      ],
    );
    assert.equal(d.total, 40);
    assert.equal(Math.round(d.cpuUs), 500_000);
  });
});

describe('bench fanout: --history', () => {
  it('runs both history targets right after tars-ws and writes fanout-history.md', () => {
    const opts = parseOptions(['--targets', 'tars-ws,ws', '--history']);
    assert.deepEqual(opts.targets, ['tars-ws', 'tars-ws-history', 'tars-ws-history-redis', 'ws']);
    assert.equal(opts.out, 'bench/results/fanout-history.md');
  });
});
