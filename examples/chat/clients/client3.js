// Client 3: the chat on the official Centrifugo SDK (window.Centrifuge, served from node_modules/centrifuge).
// Pick a name, join a channel (`chat:lobby`, or room1/room2 to meet the text pages), publish; the SDK reconnects and
// resubscribes by itself, recovering the messages missed meanwhile (the `chat` namespace keeps history); the page
// shows who is online (presence, then join/leave live) and the last messages on entering. With a token secret
// configured, the page asks the demo's /demo/token for a short-lived token for the chosen name (a demo-only
// endpoint: a real app mints tokens in its own backend after a login). The log, notice and indicator helpers are
// chat-ui.js's (window.ChatUI), loaded before this file, as for the text pages.
'use strict';

(() => {
  const { byId: $, appendLine, noticeLine, showState, showJoined, socketUrl } = window.ChatUI;
  const HISTORY_ON_JOIN = 20;
  const ui = {
    status: $('status'),
    myChannel: $('myChannel'),
    joined: $('joined'),
    auth: $('auth'),
    online: $('online'),
    log: $('log'),
    join: $('join'),
    user: $('user'),
    channel: $('channel'),
    connect: $('connect'),
    disconnect: $('disconnect'),
    composer: $('composer'),
    message: $('message'),
    notice: $('notice'),
    send: $('send'),
  };

  /** @type {import('centrifuge').Centrifuge | null} */
  let client = null;
  /** @type {import('centrifuge').Subscription | null} */
  let sub = null;
  /** client id -> user of the channel's presence, kept live by join/leave pushes. */
  const online = new Map();

  const endpoint = () => socketUrl('../connection/websocket');

  function setStatus(state) {
    showState(ui.status, state);
    ui.connect.disabled = state !== 'disconnected';
    ui.disconnect.disabled = state === 'disconnected';
  }

  function setJoined(channel, joined) {
    ui.myChannel.textContent = channel || 'none';
    showJoined(ui.joined, joined);
    ui.send.disabled = !joined;
  }

  /** Appends one line to the log, as text; kind: in | in history | note | error. */
  const append = (kind, text) => appendLine(ui.log, kind, text);

  const showNotice = noticeLine(ui.notice);

  /** A publication as a line: text pages send strings; other SDK apps may send objects. */
  function describe(pub) {
    const data = typeof pub.data === 'string' ? pub.data : JSON.stringify(pub.data);
    const who = pub.info && pub.info.user ? `${pub.info.user}: ` : '';
    return who + data;
  }

  function renderOnline() {
    const users = [...new Set([...online.values()].map((u) => u || 'anonymous'))].sort();
    ui.online.textContent = users.length === 0 ? '-' : users.join(', ');
  }

  function userName() {
    return ui.user.value.trim() || 'guest';
  }

  /** A token for the chosen name when the demo mints them (a secret is configured), else null: anonymous. */
  async function fetchToken() {
    const res = await fetch(`../demo/token?user=${encodeURIComponent(userName())}`);
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`token endpoint answered ${res.status}`);
    return (await res.json()).token;
  }

  async function connect() {
    if (client) return;
    setStatus('connecting');
    let token = null;
    try {
      token = await fetchToken();
    } catch (err) {
      showNotice(`Could not get a token: ${err.message}`);
    }
    ui.auth.textContent = token
      ? `Signed in as ${userName()} with a short-lived token from the demo's /demo/token endpoint.`
      : 'Anonymous: no token secret is configured on the server.';
    const options = token ? { token, getToken: fetchToken } : {};
    client = new Centrifuge(endpoint(), options);
    client.on('connecting', (ctx) => {
      setStatus('connecting');
      if (ctx.code !== 0) append('note', `connecting (${ctx.reason})`);
    });
    client.on('connected', (ctx) => {
      setStatus('connected');
      append('note', `connected as client ${ctx.client}`);
    });
    client.on('disconnected', (ctx) => {
      setStatus('disconnected');
      append('note', `disconnected (${ctx.code} ${ctx.reason})`);
    });
    client.on('error', (ctx) => append('error', `error: ${ctx.error.message}`));
    client.connect();
    join();
  }

  function disconnect() {
    if (!client) return;
    client.disconnect();
    if (sub) client.removeSubscription(sub);
    client = null;
    sub = null;
    online.clear();
    renderOnline();
    setJoined('', false);
    setStatus('disconnected');
  }

  function leaveCurrent() {
    if (!sub || !client) return;
    sub.unsubscribe();
    client.removeSubscription(sub);
    sub = null;
    online.clear();
    renderOnline();
  }

  function join() {
    if (!client) return void connect();
    const channel = ui.channel.value.trim();
    if (channel === '') return showNotice('Type the channel to join.');
    if (sub && sub.channel === channel) return;
    leaveCurrent();
    setJoined(channel, false);
    const s = client.newSubscription(channel, { joinLeave: true });
    sub = s;
    s.on('subscribed', (ctx) => {
      setJoined(channel, true);
      append(
        'note',
        `joined ${channel}${ctx.wasRecovering ? (ctx.recovered ? ' (missed messages recovered)' : ' (could not recover missed messages)') : ''}`,
      );
      if (!ctx.wasRecovering) void showRecent(s);
      void loadPresence(s);
    });
    s.on('unsubscribed', (ctx) => {
      setJoined(channel, false);
      if (ctx.code !== 0) append('note', `left ${channel} (${ctx.reason})`);
    });
    s.on('error', (ctx) => append('error', `${channel}: ${ctx.error.message}`));
    s.on('publication', (ctx) => append('in', describe(ctx)));
    s.on('join', (ctx) => {
      online.set(ctx.info.client, ctx.info.user);
      renderOnline();
    });
    s.on('leave', (ctx) => {
      online.delete(ctx.info.client);
      renderOnline();
    });
    s.subscribe();
  }

  /** The channel's last messages, when it keeps history (code 108: it does not). */
  async function showRecent(s) {
    try {
      const h = await s.history({ limit: HISTORY_ON_JOIN, reverse: true });
      for (const pub of h.publications.reverse()) append('in history', describe(pub));
    } catch {
      // No history for this channel: nothing to show.
    }
  }

  async function loadPresence(s) {
    try {
      const p = await s.presence();
      online.clear();
      for (const [clientId, info] of Object.entries(p.clients)) online.set(clientId, info.user);
      renderOnline();
    } catch {
      ui.online.textContent = 'presence is off for this channel';
    }
  }

  async function send() {
    const text = ui.message.value;
    if (text.trim() === '') return showNotice('Type a message first: an empty message is not sent.');
    if (!sub) return showNotice('Join a channel first.');
    try {
      await sub.publish(`${userName()}: ${text}`);
      ui.message.value = '';
      ui.message.focus();
    } catch (err) {
      showNotice(`Not sent: ${err.message} (code ${err.code})`);
    }
  }

  // `client3.html?user=alice&channel=room1` opens the page under that name and channel (two tabs, two people).
  const params = new URLSearchParams(location.search);
  if (params.get('user')) ui.user.value = params.get('user').slice(0, 64);
  if (params.get('channel')) ui.channel.value = params.get('channel').slice(0, 128);
  setStatus('disconnected');
  setJoined('', false);
  ui.connect.addEventListener('click', () => void connect());
  ui.disconnect.addEventListener('click', disconnect);
  ui.join.addEventListener('submit', (event) => {
    event.preventDefault();
    join();
  });
  ui.composer.addEventListener('submit', (event) => {
    event.preventDefault();
    void send();
  });
  void connect();
})();
