// What this browser keeps for a sign-in (the room outbox) is named after that sign-in: the page gives its login key
// in <meta name="stac-login"> (a hash, not a secret; empty when signed out). On every page load, items of any other
// sign-in are removed, so on a shared computer what one student typed never outlives their session. The key of the
// latest page is noted too, so an open tab learns when this browser signed out or someone else signed in.
const PREFIX = 'stac-';
const CURRENT = 'stac-current-login';

const meta = document.querySelector('meta[name="stac-login"]');
export const loginKey = (meta && meta.content) || '';

function storages() {
  const found = [];
  for (const name of ['localStorage', 'sessionStorage']) {
    try {
      if (window[name]) found.push(window[name]);
    } catch (error) {
      // storage disabled: nothing is kept, so nothing to remove
    }
  }
  return found;
}

// "stac-<kind>-<login key>-<id>": the login key has no dash, so the third part names the sign-in.
export function itemName(kind, id) {
  return `${PREFIX}${kind}-${loginKey}-${id}`;
}

function ownedByThisLogin(name) {
  return Boolean(loginKey) && name.split('-')[2] === loginKey;
}

export function forgetOtherLogins() {
  for (const storage of storages()) {
    for (let index = storage.length - 1; index >= 0; index -= 1) {
      const name = storage.key(index);
      if (name && name.startsWith(PREFIX) && name !== CURRENT && !ownedByThisLogin(name)) storage.removeItem(name);
    }
  }
}

// True once another page of this browser showed a different sign-in (or none): this page's session is over.
export function loginChangedElsewhere() {
  try {
    const current = window.localStorage.getItem(CURRENT);
    return current !== null && current !== loginKey;
  } catch (error) {
    return false;
  }
}

export function onLoginChanged(callback) {
  window.addEventListener('storage', (event) => {
    if (event.key === CURRENT && event.newValue !== loginKey) callback();
  });
}

forgetOtherLogins();
try {
  window.localStorage.setItem(CURRENT, loginKey);
} catch (error) {
  // storage disabled: open tabs learn of a sign-out from the server instead
}
