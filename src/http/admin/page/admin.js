// The admin dashboard page: signs in, then follows the live stream of node snapshots (SSE), draws the charts with
// uPlot (served by the gateway from the installed package), lists connections and rooms, and runs the actions
// through the JSON API with the session's CSRF token. Plain browser script: no build step, no inline code (CSP).
'use strict';

const HISTORY = 300; // samples of the charts: 5 minutes at one a second
const $ = (id) => document.getElementById(id);
let csrf = '';
let events;
let charts;
const samples = { at: [], connections: [], messagesIn: [], deliveries: [] };
let nodes = [];
const rooms = { offset: 0, limit: 20, total: 0 };

async function api(path, body) {
  const init =
    body === undefined
      ? {}
      : {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
          body: JSON.stringify(body),
        };
  const res = await fetch(`api/${path}`, init);
  const data = await res.json().catch(() => ({}));
  if (res.status === 401 && path !== 'login') showLogin();
  if (!res.ok) throw new Error(data.error?.message ?? `HTTP ${res.status}`);
  return data;
}

function text(tag, value, cls) {
  const el = document.createElement(tag);
  el.textContent = String(value);
  if (cls) el.className = cls;
  return el;
}

function button(label, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.addEventListener('click', onClick);
  return b;
}

function mib(bytes) {
  return (bytes / 1048576).toFixed(1);
}

function showLogin() {
  events?.close();
  events = undefined;
  $('dashboard').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
  $('live').textContent = 'offline';
  $('live').classList.remove('on');
  $('password').focus();
}

function showDashboard(session) {
  csrf = session.csrf;
  $('served-by').textContent = `served by ${session.node}`;
  $('login').hidden = true;
  $('dashboard').hidden = false;
  $('logout').hidden = false;
  charts ??= makeCharts();
  follow();
  loadRooms();
}

function makeCharts() {
  const width = () => Math.max(300, $('chart-connections').clientWidth);
  const common = (title, series) => ({
    width: width(),
    height: 200,
    scales: { x: { time: true } },
    series: [{}, ...series],
    axes: [{}, { size: 60 }],
    legend: { live: false },
    title,
  });
  const conns = new uPlot(
    common('', [{ label: 'connections', stroke: '#2563eb', width: 2 }]),
    [[], []],
    $('chart-connections'),
  );
  const msgs = new uPlot(
    common('', [
      { label: 'received/s', stroke: '#16a34a', width: 2 },
      { label: 'delivered/s', stroke: '#ea580c', width: 2 },
    ]),
    [[], [], []],
    $('chart-messages'),
  );
  window.addEventListener('resize', () => {
    conns.setSize({ width: width(), height: 200 });
    msgs.setSize({ width: width(), height: 200 });
  });
  return { conns, msgs };
}

function follow() {
  events?.close();
  events = new EventSource('api/events');
  events.addEventListener('open', () => {
    $('live').textContent = 'live';
    $('live').classList.add('on');
  });
  events.addEventListener('error', () => {
    $('live').textContent = 'reconnecting';
    $('live').classList.remove('on');
  });
  events.addEventListener('expired', showLogin);
  events.addEventListener('nodes', (e) => {
    const data = JSON.parse(e.data);
    nodes = data.nodes;
    renderNodes();
    record(data.at / 1000, nodes);
    loadConnections();
  });
}

function record(at, list) {
  const sum = (key) => list.reduce((n, node) => n + node[key], 0);
  samples.at.push(at);
  samples.connections.push(sum('connections'));
  samples.messagesIn.push(sum('messagesInPerSec'));
  samples.deliveries.push(sum('deliveriesPerSec'));
  if (samples.at.length > HISTORY) for (const k of Object.keys(samples)) samples[k].shift();
  charts.conns.setData([samples.at, samples.connections]);
  charts.msgs.setData([samples.at, samples.messagesIn, samples.deliveries]);
}

function renderNodes() {
  const body = $('nodes').tBodies[0];
  body.replaceChildren(
    ...nodes.map((n) => {
      const tr = document.createElement('tr');
      tr.dataset.node = String(n.processIndex);
      if (n.draining) tr.className = 'draining';
      const protocols = Object.entries(n.byProtocol)
        .map(([p, c]) => `${p}: ${c}`)
        .join(', ');
      tr.append(
        text('td', n.node),
        text('td', `${n.host} / ${n.pid}`),
        text('td', n.connections, 'num'),
        text('td', protocols || '-'),
        text('td', n.rooms, 'num'),
        text('td', n.messagesInPerSec, 'num'),
        text('td', n.deliveriesPerSec, 'num'),
        text('td', n.cpuPercent, 'num'),
        text('td', mib(n.rssBytes), 'num'),
        text('td', mib(n.heapUsedBytes), 'num'),
        text('td', n.draining ? 'draining' : 'serving'),
      );
      const td = document.createElement('td');
      if (!n.draining) {
        td.append(
          button('Drain', async () => {
            if (!confirm(`Drain ${n.node}? Its clients are closed in batches and it stops.`)) return;
            await api('drain', { node: n.processIndex }).catch((err) => alert(err.message));
          }),
        );
      }
      tr.append(td);
      return tr;
    }),
  );
  const select = $('conn-node');
  const chosen = select.value;
  const options = nodes.map((n) => {
    const o = text('option', n.node);
    o.value = String(n.processIndex);
    return o;
  });
  if (options.map((o) => o.value).join() !== [...select.options].map((o) => o.value).join()) {
    select.replaceChildren(...options);
    if (nodes.some((n) => String(n.processIndex) === chosen)) select.value = chosen;
  }
}

let loadingConnections = false;
async function loadConnections() {
  const node = $('conn-node').value;
  if (node === '' || loadingConnections) return;
  loadingConnections = true;
  try {
    const page = await api(`connections?node=${encodeURIComponent(node)}&limit=100`);
    $('conn-total').textContent = `(${page.total})`;
    $('connections').tBodies[0].replaceChildren(
      ...page.connections.map((c) => {
        const tr = document.createElement('tr');
        tr.dataset.id = String(c.id);
        const td = document.createElement('td');
        td.append(
          button('Detail', async () => {
            const detail = await api(`connection?id=${c.id}`).catch((err) => ({ error: err.message }));
            $('conn-detail').hidden = false;
            $('conn-detail').textContent = JSON.stringify(detail, null, 2);
          }),
          button('Disconnect', () => api('disconnect', { id: c.id }).catch((err) => alert(err.message))),
        );
        tr.append(
          text('td', c.id),
          text('td', c.protocol),
          text('td', c.address),
          text('td', c.user || '-'),
          text('td', c.rooms, 'num'),
          text('td', c.bufferedBytes, 'num'),
          text('td', new Date(c.openedAt).toLocaleTimeString()),
          td,
        );
        return tr;
      }),
    );
  } catch {
    // The node may be gone; the next event tries again.
  } finally {
    loadingConnections = false;
  }
}

async function loadRooms() {
  const search = encodeURIComponent($('rooms-search').value);
  const page = await api(`rooms?search=${search}&offset=${rooms.offset}&limit=${rooms.limit}`).catch(
    () => undefined,
  );
  if (!page) return;
  rooms.total = page.total;
  $('rooms-total').textContent = `(${page.total})`;
  const last = Math.min(page.total, rooms.offset + rooms.limit);
  $('rooms-page').textContent = page.total === 0 ? '0' : `${rooms.offset + 1}-${last}`;
  $('rooms').tBodies[0].replaceChildren(
    ...page.rooms.map((r) => {
      const tr = document.createElement('tr');
      tr.append(text('td', r.room), text('td', r.members, 'num'));
      tr.addEventListener('click', () => ($('push-room').value = r.room));
      return tr;
    }),
  );
}

$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('login-error').textContent = '';
  try {
    const session = await api('login', { password: $('password').value });
    $('password').value = '';
    showDashboard(session);
  } catch (err) {
    $('login-error').textContent = err.message;
  }
});

$('logout').addEventListener('click', async () => {
  await api('logout', {}).catch(() => undefined);
  showLogin();
});

$('push-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const room = $('push-room').value;
  try {
    await api('push', { room, message: $('push-message').value });
    $('push-status').textContent = `pushed to ${room}`;
    loadRooms();
  } catch (err) {
    $('push-status').textContent = `not pushed: ${err.message}`;
  }
});

let searchTimer;
$('rooms-search').addEventListener('input', () => {
  clearTimeout(searchTimer);
  rooms.offset = 0;
  searchTimer = setTimeout(loadRooms, 250);
});
$('rooms-form').addEventListener('submit', (e) => e.preventDefault());
$('rooms-prev').addEventListener('click', () => {
  rooms.offset = Math.max(0, rooms.offset - rooms.limit);
  loadRooms();
});
$('rooms-next').addEventListener('click', () => {
  if (rooms.offset + rooms.limit < rooms.total) rooms.offset += rooms.limit;
  loadRooms();
});
$('conn-node').addEventListener('change', loadConnections);
setInterval(() => $('dashboard').hidden || loadRooms(), 5000);

fetch('api/session')
  .then((res) => res.json())
  .then((s) => (s.authenticated ? showDashboard(s) : showLogin()))
  .catch(showLogin);
