// Live pages: a page about one subject (an element with data-live-subject="proposal:12", several names allowed,
// space-separated) follows it over Socket.IO (/subjects, common/subjects.py). When the subject changes, the page
// fetches itself again and swaps each part marked data-live-region="<name>" for its fresh copy, then says so in an
// aria-live region ("This page was updated: Adopted", the text of the fresh [data-live-announce] element).
// A part holding the focused field, or a form the user has typed in, is left as it is; focus elsewhere is untouched,
// and focus on a button of a swapped part moves to the same button in its fresh copy.
// Without JavaScript (or offline) the page is the one that loaded; a reload shows the change.
import { connectLive, liveText } from './socket.js';

const root = document.querySelector('[data-live-subject]');
const REFRESH_DELAY_MS = 200; // one fetch for a burst of changes (a decision changes the proposal and its board)
const TYPING = 'input, textarea, select, [contenteditable="true"]';
const FOCUSABLE = 'a[href], button, input, select, textarea, summary, [tabindex]';

function createAnnouncer() {
  const announcer = document.createElement('div');
  announcer.id = 'live-page-announcer';
  announcer.className = 'visually-hidden';
  announcer.setAttribute('aria-live', 'polite');
  announcer.setAttribute('aria-atomic', 'true');
  (document.getElementById('main') || document.body).append(announcer);
  return announcer;
}

// what a part shows, without what changes on every render (each page's CSRF token)
function comparable(element) {
  const copy = element.cloneNode(true);
  copy.querySelectorAll('input[name="csrf_token"]').forEach((input) => input.removeAttribute('value'));
  return copy.outerHTML.replace(/\s+/g, ' ').trim();
}

function focusKey(focused, region) {
  if (focused.id) return { id: focused.id };
  return { index: Array.from(region.querySelectorAll(FOCUSABLE)).indexOf(focused) };
}

function restoreFocus(region, key) {
  let target = key.id ? document.getElementById(key.id) : null;
  if (!target || !region.contains(target)) target = region.querySelectorAll(FOCUSABLE)[key.index] || null;
  if (!target) {
    region.setAttribute('tabindex', '-1');
    target = region;
  }
  target.focus();
}

if (root) {
  const subjects = (root.dataset.liveSubject || '').split(/\s+/).filter(Boolean);
  const announcer = createAnnouncer();
  const edited = new WeakSet(); // parts the user typed in: never swapped under their hands
  let timer = null;
  let running = false;
  let again = false;
  let connectedBefore = false;

  document.addEventListener('input', (event) => {
    const region = event.target.closest && event.target.closest('[data-live-region]');
    if (region) edited.add(region);
  });

  function holdsTyping(region) {
    const focused = document.activeElement;
    return edited.has(region) || Boolean(focused && region.contains(focused) && focused.matches(TYPING));
  }

  function swapRegions(fresh) {
    let changed = false;
    document.querySelectorAll('[data-live-region]').forEach((region) => {
      const name = region.dataset.liveRegion;
      const replacement = fresh.querySelector(`[data-live-region="${CSS.escape(name)}"]`);
      if (!replacement || comparable(region) === comparable(replacement) || holdsTyping(region)) return;
      const focused = document.activeElement;
      const key = focused && focused !== document.body && region.contains(focused) ? focusKey(focused, region) : null;
      const adopted = document.importNode(replacement, true);
      region.replaceWith(adopted);
      if (key) restoreFocus(adopted, key);
      changed = true;
    });
    return changed;
  }

  function announce(fresh) {
    const summary = fresh.querySelector('[data-live-announce]') || fresh.querySelector('h1');
    const what = summary ? summary.textContent.replace(/\s+/g, ' ').trim() : '';
    const template = liveText('page-updated');
    if (!template) return;
    announcer.textContent = '';
    window.setTimeout(() => { announcer.textContent = template.replace('{what}', what); }, 50);
  }

  async function refresh() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      const response = await fetch(window.location.href, {
        credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'text/html' },
      });
      if (!response.ok || response.redirected) return; // gone, hidden, or signed out: the notice or a reload says so
      const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
      if (swapRegions(fresh)) {
        announce(fresh);
        document.dispatchEvent(new CustomEvent('live-page:updated'));
      }
    } catch (_error) {
      // offline: the next change, or the reconnection, fetches again
    } finally {
      running = false;
      if (again) {
        again = false;
        refreshSoon();
      }
    }
  }

  function refreshSoon() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, REFRESH_DELAY_MS);
  }

  const socket = connectLive('/subjects', {
    onConnect(live) {
      subjects.forEach((subject) => live.emit('follow', { subject }));
      if (connectedBefore) refreshSoon(); // catch up on what changed while the connection was down
      connectedBefore = true;
    },
  });
  socket.on('subject_changed', (payload) => {
    if (payload && subjects.includes(payload.subject)) refreshSoon();
  });
}
