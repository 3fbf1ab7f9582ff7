// The page helpers every chat page shares (chat.js for client1.html and client2.html, client3.js for client3.html):
// the message log, the notice line, the connection and joined indicators, the WebSocket URL next to the page.
// A plain script, not a module (the pages' scripts are not modules either): each page loads it, deferred, before its
// own script, which reads `window.ChatUI`. Served from the page's origin like the rest, as the pages' CSP requires.
'use strict';

window.ChatUI = (() => {
  /** Lines kept in a log: the oldest go first, so a long-open page does not grow without bound. */
  const MAX_LOG_ENTRIES = 500;
  /** How long a notice stays up before it clears itself. */
  const NOTICE_MS = 6000;

  /** The element with this id. */
  const byId = (id) => document.getElementById(id);

  /**
   * Appends one timestamped line to the log list `log` and scrolls to it. `kind` is the line's class: `in` (from the
   * server, with `pong`, `error` or `history` after it for those), `out` (sent by this page), `note` (a local event),
   * `error`. The text is set as text, never as HTML: the server relays what other users typed.
   */
  function appendLine(log, kind, text) {
    const item = document.createElement('li');
    item.className = kind;
    const time = document.createElement('time');
    time.textContent = new Date().toLocaleTimeString();
    const body = document.createElement('span');
    body.className = 'text';
    body.textContent = text;
    item.append(time, ' ', body);
    log.append(item);
    while (log.childElementCount > MAX_LOG_ENTRIES) log.firstElementChild.remove();
    log.scrollTop = log.scrollHeight;
  }

  /** A function that shows a text in the notice element `el` for a few seconds; a newer notice replaces it. */
  function noticeLine(el) {
    let timer;
    return (text) => {
      el.textContent = text;
      clearTimeout(timer);
      timer = setTimeout(() => (el.textContent = ''), NOTICE_MS);
    };
  }

  /** Shows a connection state in `el`: `text` (by default the state itself), and the state in `data-state`. */
  function showState(el, state, text = state) {
    el.textContent = text;
    el.dataset.state = state;
  }

  /** Shows in `el` whether the page is in its room or channel: the text, and `data-joined` for the CSS and tests. */
  function showJoined(el, joined) {
    el.textContent = joined ? 'joined' : 'not joined';
    el.dataset.joined = String(joined);
  }

  /** The WebSocket URL of `path` relative to the page: same host and port, wss: when the page came over https:. */
  function socketUrl(path) {
    const url = new URL(path, location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return url.href;
  }

  return Object.freeze({ byId, appendLine, noticeLine, showState, showJoined, socketUrl });
})();
