/**
 * docs/grafana/tars-ws.json stays true to the metrics: every series a panel queries is one the gateway exports
 * (a renamed metric would leave an empty panel), and the file is a dashboard Grafana imports (panels with ids and
 * positions, a Prometheus datasource input).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { enableMetrics } from '../../src/index.js';
import { startGateway } from '../support/gateway.js';

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { expr: string }[];
}

const dashboard = JSON.parse(readFileSync('docs/grafana/tars-ws.json', 'utf8')) as {
  __inputs: { pluginId: string }[];
  panels: Panel[];
};

describe('the Grafana dashboard', () => {
  it('queries only metrics the gateway exports', async () => {
    const gateway = await startGateway();
    try {
      const exported = new Set(
        [...(await enableMetrics(gateway, { route: false }).text()).matchAll(/^# TYPE (\S+)/gm)].map(
          (m) => m[1],
        ),
      );
      const queried = new Set<string>();
      for (const p of dashboard.panels)
        for (const t of p.targets ?? [])
          for (const m of t.expr.matchAll(/\b((?:tars_ws|nodejs|process)_\w+)/g)) queried.add(m[1]!);
      assert.ok(queried.size >= 15, `only ${queried.size} metrics queried`);
      const base = (name: string): string => name.replace(/_(bucket|sum|count)$/, '');
      const missing = [...queried].filter((n) => !exported.has(n) && !exported.has(base(n)));
      assert.deepEqual(missing, []);
    } finally {
      await gateway.close();
    }
  });

  it('is importable: unique panel ids, positions on the 24-column grid, a Prometheus input', () => {
    const ids = dashboard.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const p of dashboard.panels) assert.ok(p.gridPos.x + p.gridPos.w <= 24, p.title);
    assert.equal(dashboard.__inputs[0]?.pluginId, 'prometheus');
  });
});
