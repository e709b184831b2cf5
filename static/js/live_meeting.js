// Live meeting screen: follows the current agenda item pushed by the server, shows its elapsed time,
// and lets advisors move it without a page load. Without JavaScript the page still shows the loaded state.
// When the speakers queue gives the floor to this user, a banner on top says "It's your turn to speak", said at once
// by an assertive live region, with a short vibration and beep where the device allows it.
import { connectLive, setConnectionStatus } from './socket.js';

const BEEP_HZ = 880;
const BEEP_SECONDS = 0.2;

// A sound may play only after the person did something on the page (browsers refuse it otherwise).
let gestured = false;
for (const type of ['pointerdown', 'keydown']) {
  document.addEventListener(type, () => { gestured = true; }, { capture: true, passive: true });
}
let audio = null;

// Once this page is leaving (a form of it was sent), a pushed status change must not reload it over that navigation.
let leaving = false;
window.addEventListener('beforeunload', () => { leaving = true; });
window.addEventListener('pageshow', () => { leaving = false; });

function beep() {
  const active = gestured || (navigator.userActivation && navigator.userActivation.hasBeenActive);
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!active || !Context) return;
  try {
    audio = audio || new Context();
    if (audio.state === 'suspended') audio.resume().catch(() => {});
    const tone = audio.createOscillator();
    const volume = audio.createGain();
    tone.frequency.value = BEEP_HZ;
    volume.gain.value = 0.2;
    tone.connect(volume).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + BEEP_SECONDS);
  } catch (error) {
    // no sound: the banner and the announcement still say it
  }
}

function bindYourTurn() {
  const banner = document.getElementById('your-turn');
  const announcer = document.getElementById('your-turn-announcer');
  if (!banner || !announcer) return;
  let focusBefore = null;
  const dismiss = () => {
    const hadFocus = banner.contains(document.activeElement);
    banner.hidden = true;
    announcer.textContent = '';
    if (hadFocus && focusBefore && focusBefore.isConnected) focusBefore.focus();
  };
  banner.querySelector('.your-turn-dismiss').addEventListener('click', dismiss);
  banner.addEventListener('keydown', (event) => event.key === 'Escape' && dismiss());
  document.addEventListener('room:called', (event) => {
    if (!event.detail.mine) { // the floor went to someone else
      if (!banner.hidden) dismiss();
      return;
    }
    banner.hidden = false;
    announcer.textContent = ''; // emptied first, so that a second call is said again
    window.setTimeout(() => { announcer.textContent = announcer.dataset.text; }, 100);
    try {
      if (navigator.vibrate) navigator.vibrate(200);
    } catch (error) {
      // no vibration on this device
    }
    beep();
    const active = document.activeElement;
    if (!active || active === document.body) { // nobody is typing: bring the banner into view with the focus
      focusBefore = null;
      banner.focus();
    } else {
      focusBefore = active;
      banner.scrollIntoView({ block: 'nearest' });
    }
  });
}

// The "Here now" and "Hands raised" tiles count the room panel's lists, which room.js redraws on every change.
function bindCounts(root) {
  const tiles = [['[data-presence-count]', '.presence-list'], ['[data-queue-count]', '.queue-list']];
  for (const [tileSelector, listSelector] of tiles) {
    const value = root.querySelector(`${tileSelector} .stat-tile-value`);
    const list = root.querySelector(listSelector);
    if (!value || !list) continue;
    const update = () => {
      const count = String(list.querySelectorAll('li[data-user-id]').length);
      if (value.textContent !== count) value.textContent = count;
    };
    new MutationObserver(update).observe(list, { childList: true });
    update();
  }
}

const root = document.getElementById('live-meeting');

if (root) {
  const meetingId = Number(root.dataset.meetingId);
  const status = root.dataset.status;
  const connection = document.getElementById('live-connection');
  const announcer = document.getElementById('live-announcer');
  const errorBox = document.getElementById('live-error');
  let currentId = root.dataset.currentItemId ? Number(root.dataset.currentItemId) : null;
  let startedAt = root.dataset.itemStartedAt ? Date.parse(root.dataset.itemStartedAt) : null;
  let clockOffset = 0;

  const items = () => Array.from(root.querySelectorAll('.live-agenda [data-item-id]'));

  function renderElapsed() {
    for (const item of items()) {
      const line = item.querySelector('.elapsed');
      if (!line) continue;
      if (Number(item.dataset.itemId) !== currentId || !startedAt) {
        line.textContent = '';
        continue;
      }
      const minutes = Math.max(0, Math.floor((Date.now() + clockOffset - startedAt) / 60000));
      line.textContent = line.dataset.textTemplate
        .replace('{elapsed}', String(minutes))
        .replace('{planned}', item.dataset.minutes);
      item.classList.toggle('is-over', minutes > Number(item.dataset.minutes));
    }
  }

  function apply(state) {
    if (!state || state.meeting_id !== meetingId) return;
    if (state.status !== status) {
      if (!leaving) window.location.reload();
      return;
    }
    if (state.server_now) clockOffset = Date.parse(state.server_now) - Date.now();
    const changed = state.current_item_id !== currentId;
    currentId = state.current_item_id;
    if (changed) document.dispatchEvent(new CustomEvent('live:item', { detail: { itemId: currentId } }));
    startedAt = state.item_started_at ? Date.parse(state.item_started_at) : null;
    for (const item of items()) {
      const isCurrent = Number(item.dataset.itemId) === currentId;
      item.classList.toggle('is-current', isCurrent);
      if (isCurrent) {
        item.setAttribute('aria-current', 'step');
        if (changed && announcer) {
          announcer.textContent = `${announcer.dataset.textNow} ${item.querySelector('h3').firstChild.textContent.trim()}`;
        }
      } else {
        item.removeAttribute('aria-current');
      }
    }
    renderElapsed();
  }

  const socket = connectLive('/meetings', {
    onConnect: (live) => {
      setConnectionStatus(connection, true);
      live.emit('join', { meeting_id: meetingId }, (answer) => answer && answer.ok && apply(answer.state));
    },
    onDisconnect: () => setConnectionStatus(connection, false),
  });
  socket.on('state', apply);
  // a poll of this meeting opened or closed: the poll panel (poll_live.js) fetches itself again
  socket.on('poll', (change) => document.dispatchEvent(new CustomEvent('live:poll', { detail: change })));

  if (root.dataset.canAdvance === 'true') {
    for (const form of root.querySelectorAll('form.js-advance')) {
      form.addEventListener('submit', (event) => {
        if (!socket.connected) return; // the plain form post still works
        event.preventDefault();
        socket.emit('advance', { meeting_id: meetingId, step: Number(form.dataset.step) }, (answer) => {
          if (errorBox) errorBox.textContent = answer && !answer.ok ? answer.error : '';
          if (answer && answer.ok) apply(answer.state);
        });
      });
    }
  }

  renderElapsed();
  window.setInterval(renderElapsed, 15000);
  bindYourTurn();
  bindCounts(root);
}
