// Live polls: turnout (and counts, when the poll shows results live) follow the server's coalesced pushes, and a
// screen reader hears the settled number at most once every few seconds. A vote sent from the live meeting screen's
// poll panel stays on that screen: the panel comes back from the server with the receipt in it (without JavaScript,
// and on the poll page, the form posts as usual and the receipt page shows it). When a poll opens or closes, the live meeting screen fetches the panel of the current
// agenda item again, and the poll page fetches its live parts again: the results with their counts, no reload.
import { connectLive, setConnectionStatus } from './socket.js';

const pollPage = document.getElementById('poll-page');
const livePoll = document.getElementById('live-poll');
const connection = document.getElementById('live-connection');
const announcer = document.getElementById('poll-announcer');
const ANNOUNCE_EVERY_MS = 4000;

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

// --- what a screen reader hears: the settled turnout and counts, the outcome when a poll closes ---

let announceTimer = null;
let lastAnnounced = '';

function say(text) {
  if (!announcer || !text || text === lastAnnounced) return;
  lastAnnounced = text;
  announcer.textContent = text;
}

function settledText() {
  const panel = panels()[0];
  if (!panel) return '';
  const parts = [];
  const turnout = panel.querySelector('[data-poll-turnout]');
  if (turnout) parts.push(turnout.textContent.trim());
  const counts = Array.from(panel.querySelectorAll('.poll-live-counts li')).map((item) => item.textContent.trim());
  if (counts.length) parts.push(counts.join(', '));
  return parts.filter(Boolean).join('. ');
}

// at most one announcement per ANNOUNCE_EVERY_MS, with the number as it stands when it is said
function announceSoon() {
  if (!announcer || announceTimer) return;
  announceTimer = window.setTimeout(() => {
    announceTimer = null;
    say(settledText());
  }, ANNOUNCE_EVERY_MS);
}

function announceOutcome(root) {
  const outcome = root && root.querySelector('[data-poll-outcome]');
  if (!outcome) return;
  const parts = Array.from(outcome.querySelectorAll('strong, [data-poll-counts]')).map((part) => part.textContent.trim());
  say(parts.join(' · '));
}

function apply(payload, pushed) {
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
    // the tile's number, where the page shows one (never for a secret poll under 5)
    const turnoutValue = panel.querySelector('[data-poll-turnout-value]');
    if (turnoutValue && payload.cast !== null && payload.turnout !== null) {
      turnoutValue.textContent = `${oneDecimal.format(payload.turnout)}%`;
    }
    if (payload.counts) {
      for (const cell of panel.querySelectorAll('[data-count-key]')) {
        const value = payload.counts[cell.dataset.countKey];
        if (value !== undefined) cell.textContent = String(value);
      }
    }
    if (pushed) announceSoon();
  }
}

let socket = null;

function watchAll() {
  if (!socket || !socket.connected) return;
  for (const panel of panels()) {
    socket.emit('watch', { poll_id: Number(panel.dataset.pollId) }, (answer) => answer && answer.ok && apply(answer.poll));
  }
}

function fragment(html) {
  const template = document.createElement('template');
  template.innerHTML = html;
  return template.content;
}

// --- the live meeting screen: the panel of the current agenda item's poll ---

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
  const content = fragment(await response.text());
  const before = livePoll.querySelector('[data-poll-panel]');
  const after = content.querySelector('[data-poll-panel]');
  // the receipt shows once: when the poll closes under it, it stays in the new panel until the page is left
  const receipt = before && before.querySelector('[data-receipt-box]');
  if (receipt && after && after.dataset.pollId === before.dataset.pollId) {
    after.querySelector('#poll-panel-title').after(receipt);
  }
  const closed = before && after && after.dataset.pollId === before.dataset.pollId
    && before.dataset.pollStatus !== 'closed' && after.dataset.pollStatus === 'closed';
  livePoll.replaceChildren(content);
  if (closed) announceOutcome(livePoll);
  watchAll();
}

// --- the poll page: its live parts (the panel, results, breakdown, voters) fetched again ---

async function refreshPollPage() {
  const parts = pollPage.querySelector('[data-poll-live-parts]');
  let response;
  try {
    response = await fetch(window.location.pathname, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
  } catch (error) {
    return; // offline: the next status push tries again
  }
  const fresh = response.ok ? new DOMParser().parseFromString(await response.text(), 'text/html') : null;
  const page = fresh && fresh.getElementById('poll-page');
  const freshParts = page && page.querySelector('[data-poll-live-parts]');
  if (!parts || !freshParts) {
    window.location.reload();
    return;
  }
  const closed = pollPage.dataset.pollStatus !== 'closed' && page.dataset.pollStatus === 'closed';
  pollPage.dataset.pollStatus = page.dataset.pollStatus;
  parts.replaceChildren(...Array.from(freshParts.childNodes).map((node) => document.importNode(node, true)));
  if (closed) announceOutcome(parts);
  watchAll();
}

function statusChanged() {
  if (livePoll) refreshLivePanel();
  else if (pollPage) refreshPollPage();
}

// --- voting from the live meeting screen without leaving it ---

function showVoteError(panel, text) {
  const box = panel.querySelector('[data-vote-error]');
  if (!box) return;
  box.textContent = text;
  box.hidden = false;
}

async function sendVote(form, panel) {
  const button = form.querySelector('button[type="submit"]');
  if (button && button.disabled) return; // already sending: a second click sends nothing
  if (button) button.disabled = true;
  form.setAttribute('aria-busy', 'true');
  const url = new URL(form.action, window.location.href);
  url.searchParams.set('fragment', 'panel');
  if (panel.dataset.nextUrl) url.searchParams.set('next', panel.dataset.nextUrl);
  let failure = panel.dataset.textFailed;
  try {
    const response = await fetch(url, {
      method: 'POST', body: new FormData(form), credentials: 'same-origin', headers: { Accept: 'text/html' },
    });
    const answer = fragment(await response.text()).querySelector('[data-poll-panel]');
    if (response.ok && answer) {
      panel.replaceWith(answer);
      const receipt = answer.querySelector('[data-receipt-box]');
      if (receipt) receipt.focus();
      watchAll();
      return;
    }
    const reason = answer && answer.querySelector('[data-vote-error]');
    if (reason && reason.textContent.trim()) failure = reason.textContent.trim();
  } catch (error) {
    // the network failed: the choice stays selected, the reason is said below
  } finally {
    if (button) button.disabled = false;
    form.removeAttribute('aria-busy');
  }
  showVoteError(panel, failure);
}

if (livePoll) {
  livePoll.addEventListener('submit', (event) => {
    const form = event.target.closest('form.vote-form');
    const panel = form && form.closest('[data-poll-panel]');
    if (!panel || !window.fetch) return; // the plain form post still works
    event.preventDefault();
    sendVote(form, panel);
  });
}

if (pollPage || livePoll) {
  socket = connectLive('/polls', {
    onConnect: () => {
      if (pollPage) setConnectionStatus(connection, true);
      watchAll();
    },
    onDisconnect: () => pollPage && setConnectionStatus(connection, false),
  });
  socket.on('turnout', (payload) => apply(payload, true));
  socket.on('status', (payload) => apply(payload, false));
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
