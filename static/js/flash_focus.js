// After a save the page reloads with a message (flash). Keyboard and screen reader users continue from there
// rather than from the top: focus goes back to the element the posted form named in data-return-focus (same page),
// else to the first message, which is then read out (a page opened at #section keeps its place instead).
const KEY = 'stac_return_focus'; // not "stac-…": login_storage.js owns those names

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.returnFocus) return;
  try {
    sessionStorage.setItem(KEY, JSON.stringify({ path: window.location.pathname, id: form.dataset.returnFocus }));
  } catch (error) {
    // storage disabled: the message takes the focus instead
  }
});

function savedTarget() {
  let saved = null;
  try {
    saved = JSON.parse(sessionStorage.getItem(KEY) || 'null');
    sessionStorage.removeItem(KEY);
  } catch (error) {
    return null;
  }
  if (!saved || saved.path !== window.location.pathname || typeof saved.id !== 'string') return null;
  return document.getElementById(saved.id);
}

// Say the message again once focus is elsewhere: a live region's text present at load is not always announced.
function announce(message) {
  const region = document.createElement('div');
  region.className = 'visually-hidden';
  region.setAttribute('role', message.getAttribute('role') || 'status');
  message.parentNode.appendChild(region);
  window.setTimeout(() => { region.textContent = message.textContent.trim(); }, 250);
}

const message = document.querySelector('.flash-messages .alert');
const target = savedTarget();
const active = document.activeElement;
const focusUntouched = !active || active === document.body || active === document.documentElement;
if (focusUntouched && target) {
  target.focus();
  if (message) announce(message);
} else if (focusUntouched && message) {
  // A page opened at #section keeps its place (Tab continues from there): the message is only said.
  if (window.location.hash) announce(message);
  else message.focus();
}
