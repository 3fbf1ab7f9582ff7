// The chat page logic shared by client1.html and client2.html: the original example's `cmd|payload` text protocol
// (see shared/spec/tarsphp-compat.md) without its defects: the server URL comes from the page's own location,
// incoming text is shown as text, disconnect means disconnect, and only an unwanted close reconnects (with backoff).
// The log, notice and indicator helpers are chat-ui.js's (window.ChatUI), loaded before this file.
'use strict';

(() => {
  const { byId: $, appendLine, noticeLine, showState, showJoined, socketUrl } = window.ChatUI;
  /** The room this page joins on every (re)connect: `data-room` on <body>. */
  const ROOM = document.body.dataset.room || 'room1';
  const PING_EVERY_MS = 10_000;
  const BACKOFF_BASE_MS = 500;
  const BACKOFF_MAX_MS = 30_000;
  // Close codes after which the same client would fail again (src/errors.ts CloseCode): do not reconnect.
  const FINAL_CLOSE_CODES = new Set([1002, 1007]);

  const ui = {
    log: $('log'),
    status: $('status'),
    myRoom: $('myRoom'),
    joined: $('joined'),
    room: $('room'),
    message: $('message'),
    notice: $('notice'),
    composer: $('composer'),
    connect: $('connect'),
    sendRoom: $('sendRoom'),
    broadcast: $('broadcast'),
    disconnect: $('disconnect'),
  };

  /** @type {WebSocket | null} */
  let ws = null;
  /** True from a click on Disconnect until the next Connect: no automatic reconnect meanwhile. */
  let userClosed = false;
  /** Reconnect attempts since the last successful open; drives the backoff. */
  let attempt = 0;
  let pingTimer;
  let retryTimer;
  let countdownTimer;

  /**
   * The gateway that served this page, same host and port, wss: under https:. The path is the folder above
   * clients/ (`/` normally) so the pages keep working behind a proxy that mounts the gateway under a prefix.
   */
  function serverUrl() {
    if (location.protocol !== 'http:' && location.protocol !== 'https:') return null;
    return socketUrl('..');
  }

  /** state: connecting | connected | reconnecting | disconnected */
  function setStatus(state, text = state) {
    showState(ui.status, state, text);
    const open = state === 'connected';
    ui.connect.disabled = open || state === 'connecting';
    ui.disconnect.disabled = state === 'disconnected';
    ui.sendRoom.disabled = !open;
    ui.broadcast.disabled = !open;
  }

  const setJoined = (joined) => showJoined(ui.joined, joined);

  /** Appends one line to the log, as text. kind: in (from the server) | out (sent by this page) | note (local). */
  const append = (kind, text) => appendLine(ui.log, kind, text);

  const showNotice = noticeLine(ui.notice);

  function clearRetry() {
    clearTimeout(retryTimer);
    clearInterval(countdownTimer);
    retryTimer = countdownTimer = undefined;
  }

  function open() {
    const url = serverUrl();
    if (!url) {
      setStatus('disconnected');
      showNotice('Open this page from the tars-ws server (http://host:port/clients/), not from a file.');
      return;
    }
    setStatus('connecting');
    const socket = new WebSocket(url);
    ws = socket;
    socket.onopen = () => {
      attempt = 0;
      setStatus('connected');
      socket.send(`subscribe|${ROOM}`);
      pingTimer = setInterval(() => {
        if (socket.readyState === WebSocket.OPEN) socket.send('ping');
      }, PING_EVERY_MS);
    };
    socket.onmessage = (event) => {
      if (typeof event.data !== 'string') return append('note', '(binary frame ignored)');
      onFrame(event.data);
    };
    // An error is always followed by a close event, which decides what happens next.
    socket.onerror = () => {};
    socket.onclose = (event) => {
      if (ws !== socket) return;
      ws = null;
      clearInterval(pingTimer);
      setJoined(false);
      if (userClosed) {
        setStatus('disconnected');
        append('note', 'disconnected');
      } else if (FINAL_CLOSE_CODES.has(event.code)) {
        setStatus('disconnected');
        append(
          'note',
          `the server refused this client (close ${event.code} ${event.reason}); not reconnecting`,
        );
      } else {
        scheduleReconnect(event);
      }
    };
  }

  function onFrame(text) {
    let kind = 'in';
    if (text === 'pong') kind = 'in pong';
    else if (text.startsWith('error|')) kind = 'in error';
    else if (text === `Subscribe roomNum:${ROOM} success!`) setJoined(true);
    append(kind, text);
  }

  /** Exponential backoff with "equal jitter": between half and all of base * 2^attempt, capped. */
  function scheduleReconnect(event) {
    const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt);
    const delay = Math.round(cap / 2 + (Math.random() * cap) / 2);
    attempt++;
    const due = Date.now() + delay;
    const tick = () => {
      const seconds = Math.max(1, Math.ceil((due - Date.now()) / 1000));
      setStatus('reconnecting', `reconnecting in ${seconds}s`);
    };
    append('note', `connection lost (close ${event.code}${event.reason ? ` ${event.reason}` : ''})`);
    tick();
    countdownTimer = setInterval(tick, 500);
    retryTimer = setTimeout(() => {
      clearRetry();
      open();
    }, delay);
  }

  function connect() {
    if (ws) return;
    userClosed = false;
    attempt = 0;
    clearRetry();
    open();
  }

  function disconnect() {
    userClosed = true;
    clearRetry();
    if (ws) {
      ws.close(1000, 'user disconnect');
    } else {
      setStatus('disconnected');
    }
  }

  /** Reads the message input; refuses an empty one with a visible note. */
  function takeMessage() {
    const message = ui.message.value;
    if (message.trim() === '') {
      showNotice('Type a message first: an empty message is not sent.');
      ui.message.focus();
      return null;
    }
    return message;
  }

  function send(cmd, payload) {
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      showNotice('Not connected: press Connect first.');
      return false;
    }
    ws.send(`${cmd}|${JSON.stringify(payload)}`);
    ui.notice.textContent = '';
    ui.message.value = '';
    ui.message.focus();
    return true;
  }

  function sendToRoom() {
    const message = takeMessage();
    if (message === null) return;
    const room = ui.room.value.trim();
    if (room === '') {
      showNotice('Type the room to send to.');
      ui.room.focus();
      return;
    }
    if (send('sendByRoom', { roomNum: room, message })) append('out', `to ${room}: ${message}`);
  }

  function broadcast() {
    const message = takeMessage();
    if (message === null) return;
    if (send('broadcast', { message })) append('out', `to everyone: ${message}`);
  }

  ui.myRoom.textContent = ROOM;
  setJoined(false);
  ui.connect.addEventListener('click', connect);
  ui.disconnect.addEventListener('click', disconnect);
  ui.broadcast.addEventListener('click', broadcast);
  // Enter in either input sends to the room, like the button.
  ui.composer.addEventListener('submit', (event) => {
    event.preventDefault();
    sendToRoom();
  });
  connect();
})();
