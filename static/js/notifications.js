// The notification bell: its unread count follows the user's own Socket.IO room, and each new
// notification is announced to screen readers. Without JavaScript the count is the one the page loaded with.
import { connectLive } from './socket.js';

const bell = document.getElementById('notification-bell');

if (bell) {
  const badge = bell.querySelector('[data-unread]');
  const announcer = document.getElementById('notification-announcer');

  function showCount(unread) {
    badge.dataset.unread = String(unread);
    badge.textContent = unread > 0 ? String(unread) : '';
    badge.hidden = unread === 0;
    bell.setAttribute('aria-label', unread > 0
      ? bell.dataset.labelUnread.replace('{count}', String(unread))
      : bell.dataset.labelNone);
  }

  const socket = connectLive('/notifications');
  socket.on('notification', (payload) => {
    showCount(payload.unread);
    if (announcer) announcer.textContent = payload.text;
  });
}
