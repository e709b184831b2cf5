// The notification bell: its unread count follows the user's own Socket.IO room, and each new notification is
// announced to screen readers and shown as a toast (its sentence, linking to what it is about, with a close button).
// A toast stays 8 seconds, longer while it is hovered or focused, until dismissed; at most 3 are shown at once.
// Without JavaScript the count is the one the page loaded with.
/* global bootstrap */
import { connectLive } from './socket.js';

const bell = document.getElementById('notification-bell');
const TOAST_SECONDS = 8;
const MAX_TOASTS = 3;

// a link the server built for the notification: a path on this site, never another host
function localLink(link) {
  return typeof link === 'string' && link.startsWith('/') && !link.startsWith('//') && !link.includes('\\')
    ? link : null;
}

function toastContainer(after) {
  let container = document.getElementById('notification-toasts');
  if (!container) {
    container = document.createElement('div');
    container.id = 'notification-toasts';
    container.className = 'toast-container position-fixed bottom-0 end-0 p-3 notification-toasts';
    // next to the bell in the tab order, whatever the toasts' place on screen
    after.insertAdjacentElement('afterend', container);
  }
  return container;
}

function showToast(payload, closeLabel, after) {
  const container = toastContainer(after);
  while (container.children.length >= MAX_TOASTS) {
    const oldest = container.firstElementChild;
    if (oldest.contains(document.activeElement)) bell.focus();
    bootstrap.Toast.getInstance(oldest)?.dispose();
    oldest.remove();
  }
  const toast = document.createElement('div');
  toast.className = 'toast notification-toast bg-body';
  toast.dataset.notificationId = String(payload.id || '');
  const row = document.createElement('div');
  row.className = 'd-flex align-items-start';
  const body = document.createElement('div');
  body.className = 'toast-body';
  const link = localLink(payload.link);
  const text = link ? document.createElement('a') : document.createElement('span');
  if (link) text.href = link;
  text.textContent = payload.text;
  body.append(text);
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'btn-close me-2 mt-2';
  close.setAttribute('aria-label', closeLabel);
  close.dataset.bsDismiss = 'toast';
  row.append(body, close);
  toast.append(row);
  container.append(toast);
  const instance = bootstrap.Toast.getOrCreateInstance(toast, { autohide: true, delay: TOAST_SECONDS * 1000 });
  toast.addEventListener('hidden.bs.toast', () => {
    const hadFocus = toast.contains(document.activeElement);
    instance.dispose();
    toast.remove();
    if (hadFocus) bell.focus();
  });
  toast.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') instance.hide();
  });
  instance.show();
}

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
    if (payload.text && typeof bootstrap !== 'undefined') {
      showToast(payload, bell.dataset.labelClose || '', announcer || bell);
    }
  });
}
