import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatProperty, PROPERTIES, sampleRecord } from '../../src/platform/stats/properties.js';
import { mergeRecord } from '../../src/stats/stat-counter.js';
import {
  parseKey,
  propHead,
  statBody,
  statHead,
  statKey,
  type StatNamesConfig,
} from '../../src/platform/stats/stat-messages.js';

const names: StatNamesConfig = {
  app: 'Demo',
  server: 'WsServer',
  localIp: '10.0.0.5',
  moduleName: 'Demo.WsServer',
  enableSet: false,
  setDivision: '',
};

describe('property formatting', () => {
  const lag = PROPERTIES.find((p) => p.name === 'eventLoopLagMs')!;

  it('writes Avg as floor(sum/count), Max, Min, Sum and Count', () => {
    const def = { name: 'x', policies: ['Sum', 'Avg', 'Count', 'Max', 'Min'] as const };
    const acc = [3, 4, 4].map((v) => sampleRecord(def, v)).reduce((a, b) => mergeRecord(a, b));
    assert.deepEqual(formatProperty(def, acc), [
      { policy: 'Sum', value: '11' },
      { policy: 'Avg', value: '3' },
      { policy: 'Count', value: '3' },
      { policy: 'Max', value: '4' },
      { policy: 'Min', value: '3' },
    ]);
  });

  it('writes Distr as range|count pairs, a sample counted at the largest bound not above it', () => {
    const acc = [0, 0.5, 3, 7, 10, 2000].map((v) => sampleRecord(lag, v)).reduce((a, b) => mergeRecord(a, b));
    const distr = formatProperty(lag, acc).find((i) => i.policy === 'Distr');
    assert.equal(distr?.value, '0|2,1|1,5|1,10|1,50|0,100|0,500|0,1000|1');
  });

  it('writes 0 for an Avg without samples', () => {
    assert.equal(formatProperty(lag, {}).find((i) => i.policy === 'Avg')?.value, '0');
  });

  it('heads carry the module, ip, name and iPropertyVer 2', () => {
    assert.deepEqual(propHead(names, 'connections'), {
      moduleName: 'Demo.WsServer',
      ip: '10.0.0.5',
      propertyName: 'connections',
      setName: '',
      setArea: '',
      setID: '',
      sContainer: '',
      iPropertyVer: 2,
    });
  });
});

describe('stat heads and bodies', () => {
  it('names WebSocket traffic as calls from not_tars_client into App.Server', () => {
    const h = statHead(names, 'ws', 0, 'sendByRoom', 8080);
    assert.deepEqual(
      [h.masterName, h.slaveName, h.interfaceName, h.masterIp, h.slaveIp, h.slavePort, h.returnValue],
      ['not_tars_client', 'Demo.WsServer', 'sendByRoom', '', '10.0.0.5', 8080, 0],
    );
  });

  it('names a Tars call as from the module to the callee App.Server at the endpoint used', () => {
    const h = statHead(names, 'tars', -7, 'Test.Hello.HelloObj\nhello\n10.0.0.9\n18600', 8080);
    assert.deepEqual(
      [h.masterName, h.slaveName, h.interfaceName, h.masterIp, h.slaveIp, h.slavePort, h.returnValue],
      ['Demo.WsServer', 'Test.Hello', 'hello', '10.0.0.5', '10.0.0.9', 18600, -7],
    );
  });

  it('adds the set to the names when the set is enabled', () => {
    const h = statHead({ ...names, enableSet: true, setDivision: 'gz.a.1' }, 'http', 200, '/x', 80);
    assert.deepEqual(
      [h.slaveName, h.slaveSetName, h.slaveSetArea, h.slaveSetID],
      ['Demo.WsServer.gza1', 'gz', 'a', '1'],
    );
  });

  it('fills every latency bucket and rounds times to whole milliseconds', () => {
    const b = statBody({ count: 2, totalRspTime: 3.6, maxRspTime: 2.4, minRspTime: 1.2, b5: 2 });
    assert.deepEqual(
      [...b.intervalCount],
      [
        [5, 2],
        [10, 0],
        [50, 0],
        [100, 0],
        [200, 0],
        [500, 0],
        [1000, 0],
        [2000, 0],
        [3000, 0],
      ],
    );
    assert.deepEqual([b.count, b.totalRspTime, b.maxRspTime, b.minRspTime], [2, 4n, 2, 1]);
  });

  it('store keys round-trip, whatever the name holds', () => {
    assert.deepEqual(parseKey(statKey('tars', -7, 'A.B.C\nf\nh\n1')), {
      type: 'stat',
      kind: 'tars',
      ret: -7,
      name: 'A.B.C\nf\nh\n1',
    });
    assert.deepEqual(parseKey(statKey('ws', 0, 'cmd\twith tab')), {
      type: 'stat',
      kind: 'ws',
      ret: 0,
      name: 'cmd\twith tab',
    });
    assert.equal(parseKey('unrelated'), undefined);
  });
});
