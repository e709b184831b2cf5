// Shared Socket.IO connection for live screens: connect to a namespace, report the connection state,
// and let each screen re-join (and so catch up) every time the connection comes back.
/* global io */

export function connectLive(namespace, { onConnect, onDisconnect } = {}) {
  const socket = io(namespace, {
    withCredentials: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
  });
  socket.on('connect', () => onConnect && onConnect(socket));
  socket.on('disconnect', () => onDisconnect && onDisconnect(socket));
  socket.on('connect_error', () => onDisconnect && onDisconnect(socket));
  return socket;
}

export function setConnectionStatus(element, connected) {
  if (!element) return;
  element.textContent = connected ? element.dataset.textConnected : element.dataset.textOffline;
}
