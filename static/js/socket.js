// Shared Socket.IO connection for live screens: connect to a namespace, report the connection state,
// and let each screen re-join (and so catch up) every time the connection comes back.
// A channel the member may no longer see ("access_lost") and an event too big to send are said in #live-notice.
/* global io */

const notice = document.getElementById('live-notice');
// the largest event the server handles, its JSON in UTF-8 (common/sockets.py MAX_EVENT_BYTES, given by the page)
const maxEventBytes = Number(notice && notice.dataset.maxEventBytes) || 65536;

// a translated text of #live-notice by its data-text-* name: liveText('room') reads data-text-room
export function liveText(name) {
  const key = `text${name.charAt(0).toUpperCase()}${name.slice(1).replace(/-(\w)/g, (_m, c) => c.toUpperCase())}`;
  return (notice && notice.dataset[key]) || '';
}

export function showLiveNotice(text) {
  if (!notice || !text) return;
  notice.textContent = text;
  notice.hidden = false;
}

// whether an event's arguments fit the server's limit, measured as the server does: [args...] as JSON, in UTF-8
export function fitsEventLimit(...args) {
  return new TextEncoder().encode(JSON.stringify(args)).length <= maxEventBytes;
}

export function connectLive(namespace, { onConnect, onDisconnect, onAccessLost } = {}) {
  const socket = io(namespace, {
    withCredentials: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
  });
  socket.on('connect', () => onConnect && onConnect(socket));
  socket.on('disconnect', () => onDisconnect && onDisconnect(socket));
  socket.on('connect_error', () => onDisconnect && onDisconnect(socket));
  socket.on('access_lost', (lost) => {
    showLiveNotice(liveText(lost.channel));
    if (onAccessLost) onAccessLost(lost);
  });
  return socket;
}

export function setConnectionStatus(element, connected) {
  if (!element) return;
  element.textContent = connected ? element.dataset.textConnected : element.dataset.textOffline;
}
