// Live polls: turnout (and counts, when the poll shows results live) follow the server's coalesced pushes.
// On the poll page a change of status reloads the page; on the live meeting screen the poll panel of the
// current agenda item is fetched again when the item changes or its poll opens or closes.
import { connectLive, setConnectionStatus } from './socket.js';

const pollPage = document.getElementById('poll-page');
const livePoll = document.getElementById('live-poll');
const connection = document.getElementById('live-connection');

function panels() {
  return Array.from(document.querySelectorAll('[data-poll-panel][data-poll-id]'));
}

// turnout with one decimal in the page's language, as the server writes it (41.7 / 41,7)
const oneDecimal = new Intl.NumberFormat(document.documentElement.lang || undefined,
  { minimumFractionDigits: 1, maximumFractionDigits: 1 });

function fill(template, values) {
  const shown = (value, key) => (key === 'turnout' ? oneDecimal.format(value) : String(value));
  return template.replace(/\{(\w+)\}/g, (match, key) => (key in values ? shown(values[key], key) : match));
}

function apply(payload) {
  if (!payload) return;
  for (const panel of panels()) {
    if (Number(panel.dataset.pollId) !== payload.poll_id) continue;
    if (payload.status !== panel.dataset.pollStatus) {
      statusChanged();
      return;
    }
    const turnout = panel.querySelector('[data-poll-turnout]');
    // a secret poll gives no number under 5 (null): then a fixed text, or the server's own when eligible is null too
    if (turnout && payload.cast !== null) turnout.textContent = fill(turnout.dataset.textTemplate, payload);
    else if (turnout && turnout.dataset.textFew && payload.eligible !== null) turnout.textContent = fill(turnout.dataset.textFew, payload);
    if (payload.counts) {
      for (const cell of panel.querySelectorAll('[data-count-key]')) {
        const value = payload.counts[cell.dataset.countKey];
        if (value !== undefined) cell.textContent = String(value);
      }
    }
  }
}

let socket = null;

function watchAll() {
  if (!socket || !socket.connected) return;
  for (const panel of panels()) {
    socket.emit('watch', { poll_id: Number(panel.dataset.pollId) }, (answer) => answer && answer.ok && apply(answer.poll));
  }
}

let currentItemId = livePoll ? Number(document.getElementById('live-meeting').dataset.currentItemId) || null : null;
let fetching = null;

async function refreshLivePanel() {
  if (!livePoll) return;
  if (!currentItemId) {
    livePoll.replaceChildren();
    return;
  }
  const url = livePoll.dataset.urlTemplate.replace('999999999', String(currentItemId));
  const request = fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
  fetching = request;
  const response = await request;
  if (fetching !== request || !response.ok) return; // a newer refresh replaced this one
  const html = await response.text();
  const template = document.createElement('template');
  template.innerHTML = html;
  livePoll.replaceChildren(template.content);
  watchAll();
}

function statusChanged() {
  if (livePoll) refreshLivePanel();
  else if (pollPage) window.location.reload();
}

if (pollPage || livePoll) {
  socket = connectLive('/polls', {
    onConnect: () => {
      if (pollPage) setConnectionStatus(connection, true);
      watchAll();
    },
    onDisconnect: () => pollPage && setConnectionStatus(connection, false),
  });
  socket.on('turnout', apply);
  socket.on('status', apply);
}

if (livePoll) {
  // live_meeting.js announces a new current item and polls opened or closed in this meeting
  document.addEventListener('live:item', (event) => {
    if (event.detail.itemId === currentItemId) return;
    currentItemId = event.detail.itemId;
    refreshLivePanel();
  });
  document.addEventListener('live:poll', (event) => {
    if (event.detail.item_id === currentItemId) refreshLivePanel();
  });
}
