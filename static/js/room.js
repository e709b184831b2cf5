// Live room: messages arrive once and in order, sends survive a flaky connection (idempotent client ids,
// an outbox kept in localStorage under this sign-in's key), presence, typing, the speakers queue and moderation.
// When the session ends (signed out here or elsewhere), nothing more is queued and the outbox is dropped.
// Message bodies arrive as server-sanitized HTML; everything else is inserted as text.
import { itemName, loginChangedElsewhere, onLoginChanged } from './login_storage.js';
import { connectLive, fitsEventLimit, liveText, setConnectionStatus } from './socket.js';

const NEAR_BOTTOM_PX = 80;
const TYPING_EVERY_MS = 2000;
const STILL_HERE_EVERY_MS = 60000;

function newClientId() {
  if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
  return `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

const DAY_MS = 86400000;
const REFRESH_DAYS_EVERY_MS = 60000;
// where the composer's hint says "Enter sends" (app.css: .composer-hint-keys): the same media query
const KEYBOARD_DEVICE = window.matchMedia('(hover: hover) and (pointer: fine)');

// Chat times as stac_youth/rooms/times.py writes them on the server (keep the two in step): "4:05 PM" today,
// "Dec 4, 4:05 PM" before, "Dec 4, 2025, 4:05 PM" in another year; in full for screen readers and the title.
class ChatTimes {
  constructor(lang, zone) {
    const make = (options) => {
      try {
        return new Intl.DateTimeFormat(lang || undefined, { timeZone: zone || undefined, ...options });
      } catch (error) { // an unknown zone: the browser's own
        return new Intl.DateTimeFormat(lang || undefined, options);
      }
    };
    this.time = make({ timeStyle: 'short' });
    this.monthDay = make({ month: 'short', day: 'numeric' });
    this.monthDayYear = make({ year: 'numeric', month: 'short', day: 'numeric' });
    this.fullDate = make({ dateStyle: 'full' });
    this.parts = make({ year: 'numeric', month: 'numeric', day: 'numeric', numberingSystem: 'latn' });
  }

  static plain(text) { // Intl may write a narrow no-break space before AM/PM; the server writes a plain one
    return text.replace(/\u202f/g, ' ');
  }

  // The reader's calendar day of a moment, "2026-12-04", in their zone.
  day(date) {
    const part = Object.fromEntries(this.parts.formatToParts(date).map(({ type, value }) => [type, value]));
    return `${part.year}-${part.month.padStart(2, '0')}-${part.day.padStart(2, '0')}`;
  }

  static dayBefore(day) {
    return new Date(Date.parse(`${day}T00:00:00Z`) - DAY_MS).toISOString().slice(0, 10);
  }

  describe(iso, today) {
    const date = new Date(iso);
    const day = this.day(date);
    const time = ChatTimes.plain(this.time.format(date));
    let short = time;
    if (day !== today) {
      const format = day.slice(0, 4) === today.slice(0, 4) ? this.monthDay : this.monthDayYear;
      short = `${ChatTimes.plain(format.format(date))}, ${time}`;
    }
    return { day, short, full: `${ChatTimes.plain(this.fullDate.format(date))}, ${time}` };
  }

  dayLabel(iso, today, texts) {
    const day = this.day(new Date(iso));
    if (day === today) return texts.textToday;
    if (day === ChatTimes.dayBefore(today)) return texts.textYesterday;
    return ChatTimes.plain(this.fullDate.format(new Date(iso)));
  }
}

// A member's avatar as templates/_macros/ui.html draws it: their picture, or their initials on one of six tones.
// Decorative: the name is always written beside it.
function avatarElement(person, size) {
  if (person.avatar_url) {
    const picture = document.createElement('img');
    picture.className = `avatar avatar-${size}`;
    picture.src = person.avatar_url;
    picture.alt = '';
    return picture;
  }
  const initials = document.createElement('span');
  initials.className = `avatar avatar-${size} avatar-initials avatar-tone-${person.id ? person.id % 6 : 0}`;
  initials.setAttribute('aria-hidden', 'true');
  initials.textContent = person.initials || '?';
  return initials;
}

// Someone in the room: avatar and name.
function personItem(person) {
  const item = document.createElement('li');
  item.dataset.userId = String(person.id);
  const name = document.createElement('span');
  name.className = 'person-name';
  name.textContent = person.name;
  item.append(avatarElement(person, 'xs'), name);
  return item;
}

function setText(element, text) { // only when it changed: the log must not redraw what stays the same
  if (element && element.textContent !== text) element.textContent = text;
}

class RoomPanel {
  constructor(root) {
    this.root = root;
    this.roomId = Number(root.dataset.roomId);
    this.userId = Number(root.dataset.userId);
    this.canModerate = root.dataset.canModerate === 'true';
    this.log = root.querySelector('.chat-log'); // the scrolling role="log" region
    this.list = this.log.querySelector('.chat-list'); // its <ol> of messages
    this.empty = root.querySelector('.chat-empty');
    this.marker = root.querySelector('.new-messages-marker');
    this.typingLine = root.querySelector('.typing-indicator');
    this.form = root.querySelector('form.composer');
    this.textarea = root.querySelector('.composer-body');
    this.status = root.querySelector('.composer-status');
    this.template = root.querySelector('template.message-template');
    this.announcer = root.querySelector('.room-announcer'); // polite: who came and went, how long the queue is
    this.present = null; // id → name, from the first presence list on: changes to it are said
    this.queueSize = null;
    this.times = new ChatTimes(document.documentElement.lang, root.dataset.timezone);
    this.outboxKey = itemName('outbox', this.roomId);
    this.sessionEnded = false;
    this.lastTypingSent = 0;
    this.typingTimer = null;
    this.lastId = 0;
    for (const item of this.log.querySelectorAll('[data-message-id]')) {
      this.lastId = Math.max(this.lastId, Number(item.dataset.messageId));
    }
  }

  start(socket) {
    this.socket = socket;
    socket.on('message', (message) => message.room_id === this.roomId && this.addMessage(message));
    socket.on('deleted', (event) => event.room_id === this.roomId && this.removeMessage(event.id));
    socket.on('presence', (event) => event.room_id === this.roomId && this.renderPresence(event.people));
    socket.on('queue', (event) => event.room_id === this.roomId && this.renderQueue(event.queue, event.called));
    socket.on('typing', (event) => event.room_id === this.roomId && this.showTyping(event.user));
    socket.on('room', (event) => event.room_id === this.roomId && this.renderLock(event.locked));
    this.bindComposer();
    this.bindModeration();
    this.bindHands();
    this.log.scrollTop = this.log.scrollHeight;
    if (this.marker) this.marker.addEventListener('click', () => this.scrollToEnd());
    this.layoutDays();
    window.setInterval(() => this.layoutDays(), REFRESH_DAYS_EVERY_MS); // "Today" becomes "Yesterday" at midnight
    this.log.addEventListener('scroll', () => this.nearBottom() && this.hideMarker());
    for (const pending of this.outbox()) this.showPending(pending);
  }

  join() {
    this.socket.emit('join', { room_id: this.roomId, last_id: this.lastId }, (answer) => {
      if (!answer || !answer.ok) return;
      for (const id of answer.deleted_ids) this.removeMessage(id);
      for (const message of answer.messages) this.addMessage(message);
      this.renderPresence(answer.presence);
      this.renderQueue(answer.queue, null);
      this.renderLock(answer.room.locked);
      if (loginChangedElsewhere()) this.endSession();
      else this.flushOutbox();
    });
  }

  // The session of this page is over: drop what waits to be sent, and say that it was not kept.
  endSession() {
    if (this.sessionEnded) return;
    this.sessionEnded = true;
    try {
      window.localStorage.removeItem(this.outboxKey);
    } catch (error) {
      // storage disabled: nothing was kept
    }
    for (const item of this.log.querySelectorAll('.chat-pending')) item.remove();
    if (this.textarea) this.textarea.value = '';
    if (this.status) this.status.textContent = this.root.dataset.textSignedOut;
  }

  nearBottom() {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < NEAR_BOTTOM_PX;
  }

  scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
    this.hideMarker();
    this.markRead();
  }

  hideMarker() {
    if (this.marker) this.marker.hidden = true;
  }

  markRead() {
    if (this.lastId && this.socket && this.socket.connected) {
      this.socket.emit('read', { room_id: this.roomId, message_id: this.lastId });
    }
  }

  buildMessage(message) {
    const item = this.template.content.firstElementChild.cloneNode(true);
    item.id = `message-${message.id}`;
    item.dataset.messageId = String(message.id);
    item.dataset.authorId = String(message.author.id || '');
    item.querySelector('.chat-author').textContent = message.author.name;
    const avatarSlot = item.querySelector('.chat-avatar');
    if (avatarSlot) avatarSlot.replaceChildren(avatarElement(message.author, 'sm'));
    const time = item.querySelector('.chat-time');
    time.dateTime = message.created_at;
    const shown = this.times.describe(message.created_at, this.times.day(new Date()));
    time.title = shown.full;
    time.querySelector('.chat-time-short').textContent = shown.short;
    time.querySelector('.chat-time-full').textContent = shown.full;
    item.querySelector('.chat-body').innerHTML = message.html; // sanitized on the server by the one renderer
    for (const about of item.querySelectorAll('.js-about')) { // "Report message from <name>", as the server does
      about.textContent = about.textContent.replace('{name}', message.author.name);
    }
    const report = item.querySelector('.js-report');
    if (report) {
      if (message.author.id === this.userId) report.remove();
      else report.href = report.dataset.href.replace('/messages/0/', `/messages/${message.id}/`);
    }
    const deleteForm = item.querySelector('.js-delete-message');
    if (deleteForm) deleteForm.action = deleteForm.dataset.action.replace('/messages/0/', `/messages/${message.id}/`);
    const mute = item.querySelector('.js-mute');
    if (mute) {
      if (!message.author.id || message.author.id === this.userId) mute.remove();
      else mute.href = mute.dataset.href.replace('/members/0/', `/members/${message.author.id}/`);
    }
    return item;
  }

  addMessage(message) {
    const pending = this.log.querySelector(`[data-client-id="${CSS.escape(message.client_id)}"]`);
    if (pending && message.author.id === this.userId) {
      pending.remove();
      this.dropFromOutbox(message.client_id);
    }
    if (document.getElementById(`message-${message.id}`)) return; // each message shows once
    const wasNearBottom = this.nearBottom();
    const item = this.buildMessage(message);
    const later = Array.from(this.log.querySelectorAll('[data-message-id]'))
      .find((other) => Number(other.dataset.messageId) > message.id);
    this.list.insertBefore(item, later || this.list.querySelector('.chat-pending'));
    this.layoutDays();
    this.lastId = Math.max(this.lastId, message.id);
    if (this.empty) this.empty.hidden = true;
    if (wasNearBottom || message.author.id === this.userId) this.scrollToEnd();
    else if (this.marker) this.marker.hidden = false;
  }

  removeMessage(id) {
    const item = document.getElementById(`message-${id}`);
    if (item) item.remove();
    this.layoutDays();
  }

  // A day separator above each day's first message, none elsewhere, and every time in its compact form (a time
  // alone today): what the server renders, kept right as messages arrive or go and as days pass.
  layoutDays() {
    const today = this.times.day(new Date());
    let previous = null;
    for (const child of Array.from(this.list.children)) {
      if (child.classList.contains('chat-day')) {
        const next = child.nextElementSibling;
        const nextTime = next && next.matches('[data-message-id]') && next.querySelector('.chat-time');
        const day = nextTime && this.times.day(new Date(nextTime.dateTime));
        if (!day || day === previous) {
          child.remove();
          continue;
        }
        child.dataset.day = day;
        setText(child.querySelector('.chat-day-label'), this.times.dayLabel(nextTime.dateTime, today, this.root.dataset));
        previous = day;
        continue;
      }
      const time = child.matches('[data-message-id]') && child.querySelector('.chat-time');
      if (!time) continue; // a message still being sent
      const shown = this.times.describe(time.dateTime, today);
      if (shown.day !== previous) {
        const separator = document.createElement('li');
        separator.className = 'chat-day';
        separator.setAttribute('aria-hidden', 'true'); // each time says its full date to screen readers
        separator.dataset.day = shown.day;
        const label = document.createElement('span');
        label.className = 'chat-day-label';
        label.textContent = this.times.dayLabel(time.dateTime, today, this.root.dataset);
        separator.append(label);
        this.list.insertBefore(separator, child);
        previous = shown.day;
      }
      setText(time.querySelector('.chat-time-short'), shown.short);
    }
  }

  // A short sentence for screen readers, in the polite region of the panel.
  say(text) {
    if (this.announcer && text) this.announcer.textContent = text;
  }

  text(name, values) {
    return (this.root.dataset[name] || '').replace(/\{(\w+)\}/g, (match, key) => (key in values ? String(values[key]) : match));
  }

  announcePresence(people) {
    const before = this.present;
    this.present = new Map(people.map((person) => [person.id, person.name]));
    if (!before) return;
    const joined = people.filter((person) => !before.has(person.id) && person.id !== this.userId);
    const left = Array.from(before).filter(([id]) => !this.present.has(id) && id !== this.userId);
    const parts = [];
    if (joined.length === 1) parts.push(this.text('textJoined', { name: joined[0].name }));
    else if (joined.length > 1) parts.push(this.text('textJoinedMany', { num: joined.length }));
    if (left.length === 1) parts.push(this.text('textLeft', { name: left[0][1] }));
    else if (left.length > 1) parts.push(this.text('textLeftMany', { num: left.length }));
    this.say(parts.join(' '));
  }

  announceQueue(queue) {
    const before = this.queueSize;
    this.queueSize = queue.length;
    if (before === null || before === queue.length) return;
    if (!queue.length) this.say(this.text('textQueueNone', {}));
    else if (queue.length === 1) this.say(this.text('textQueueOne', {}));
    else this.say(this.text('textQueueMany', { num: queue.length }));
  }

  renderPresence(people) {
    this.announcePresence(people);
    const list = this.root.querySelector('.presence-list');
    list.replaceChildren(...people.map(personItem));
  }

  renderQueue(queue, called) {
    this.announceQueue(queue);
    const list = this.root.querySelector('.queue-list');
    list.replaceChildren(...queue.map(personItem));
    this.root.querySelector('.queue-empty').hidden = queue.length > 0;
    const raised = queue.some((person) => person.id === this.userId);
    const button = this.root.querySelector('.hand-button');
    if (button) {
      button.textContent = raised ? button.dataset.textLower : button.dataset.textRaise;
      button.setAttribute('aria-pressed', raised ? 'true' : 'false');
      button.form.querySelector('[name="raised"]').value = raised ? '0' : '1';
    }
    if (called) {
      this.root.querySelector('.called-speaker').textContent = this.root.dataset.textCalled.replace('{name}', called.name);
      // the live meeting screen tells the called member, unmissably, that it is their turn (live_meeting.js)
      document.dispatchEvent(new CustomEvent('room:called', {
        detail: { roomId: this.roomId, speaker: called, mine: called.id === this.userId },
      }));
    }
  }

  renderLock(locked) {
    this.locked = locked;
    const badge = document.querySelector('.room-locked-badge'); // on the room page, beside its title
    if (badge) badge.hidden = !locked;
    const blocked = locked && !this.canModerate;
    if (this.form) this.form.querySelector('button[type="submit"]').disabled = blocked;
    if (blocked && this.status) this.status.textContent = this.root.dataset.textLocked;
    else if (this.status && this.status.textContent === this.root.dataset.textLocked) this.status.textContent = '';
  }

  showTyping(user) {
    if (!this.typingLine || user.id === this.userId) return;
    this.typingLine.textContent = this.root.dataset.textTyping.replace('{name}', user.name);
    window.clearTimeout(this.typingTimer);
    this.typingTimer = window.setTimeout(() => { this.typingLine.textContent = ''; }, 3000);
  }

  outbox() {
    try {
      return JSON.parse(window.localStorage.getItem(this.outboxKey) || '[]');
    } catch (error) {
      return [];
    }
  }

  saveOutbox(items) {
    if (this.sessionEnded) return;
    try {
      window.localStorage.setItem(this.outboxKey, JSON.stringify(items));
    } catch (error) {
      // storage full or disabled: the message still goes out while the page stays open
    }
  }

  dropFromOutbox(clientId) {
    this.saveOutbox(this.outbox().filter((item) => item.client_id !== clientId));
  }

  showPending(pending) {
    if (this.log.querySelector(`[data-client-id="${CSS.escape(pending.client_id)}"]`)) return;
    const item = document.createElement('li');
    item.className = 'chat-message chat-pending';
    item.dataset.clientId = pending.client_id;
    const body = document.createElement('div');
    body.className = 'chat-body';
    body.textContent = pending.body;
    const note = document.createElement('div');
    note.className = 'chat-meta small';
    note.textContent = this.root.dataset.textSending;
    item.append(note, body);
    this.list.append(item);
    if (this.empty) this.empty.hidden = true;
    this.scrollToEnd();
  }

  sendPending(pending) {
    if (this.sessionEnded) return;
    const payload = { room_id: this.roomId, body: pending.body, client_id: pending.client_id };
    if (!fitsEventLimit(payload)) { // the server would only answer "too_large": say it without sending
      this.refuse(pending, liveText('too-large'));
      return;
    }
    this.socket.emit('send', payload, (answer) => {
      if (!answer) return;
      if (answer.ok) {
        this.addMessage(answer.message);
        return;
      }
      this.refuse(pending, answer.error === 'too_large' ? liveText('too-large') : answer.error);
    });
  }

  // A message that will not be posted: out of the outbox, its text back in the composer, the reason said.
  refuse(pending, reason) {
    const item = this.log.querySelector(`[data-client-id="${CSS.escape(pending.client_id)}"]`);
    if (item) item.remove();
    this.dropFromOutbox(pending.client_id);
    this.status.textContent = reason;
    if (!this.textarea.value) this.textarea.value = pending.body;
  }

  // The member may no longer see this room (the server took this socket out of it): nothing more can be sent here.
  accessLost() {
    for (const form of this.root.querySelectorAll('form')) {
      for (const control of form.elements) control.disabled = true;
    }
    if (this.status) this.status.textContent = liveText('room');
  }

  flushOutbox() {
    for (const pending of this.outbox()) this.sendPending(pending);
  }

  bindComposer() {
    if (!this.form) return;
    this.textarea.addEventListener('keydown', (event) => {
      // Enter sends where the hint says so (a fine pointer, so a keyboard); on touch screens it adds a line
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && KEYBOARD_DEVICE.matches) {
        event.preventDefault();
        this.form.requestSubmit();
      }
    });
    this.textarea.addEventListener('input', () => {
      const now = Date.now();
      if (this.socket.connected && now - this.lastTypingSent > TYPING_EVERY_MS && this.textarea.value.trim()) {
        this.lastTypingSent = now;
        this.socket.emit('typing', { room_id: this.roomId });
      }
    });
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      const body = this.textarea.value.trim();
      if (this.sessionEnded || loginChangedElsewhere()) {
        this.endSession();
        this.textarea.value = '';
        this.status.textContent = this.root.dataset.textSignedOut;
        return;
      }
      if (!body || (this.locked && !this.canModerate)) return;
      const pending = { client_id: newClientId(), body };
      this.saveOutbox([...this.outbox(), pending]);
      this.showPending(pending);
      this.textarea.value = '';
      this.status.textContent = this.socket.connected ? '' : this.root.dataset.textOffline;
      this.textarea.focus();
      if (this.socket.connected) this.sendPending(pending);
    });
  }

  bindModeration() {
    this.root.addEventListener('submit', (event) => {
      const form = event.target.closest('.js-delete-message');
      if (!form || !this.socket.connected) return;
      event.preventDefault();
      const item = form.closest('[data-message-id]');
      this.socket.emit('delete_message', { room_id: this.roomId, message_id: Number(item.dataset.messageId) });
    });
  }

  bindHands() {
    const handForm = this.root.querySelector('.hand-form');
    if (handForm) {
      handForm.addEventListener('submit', (event) => {
        if (!this.socket.connected) return;
        event.preventDefault();
        const raise = handForm.querySelector('[name="raised"]').value === '1';
        this.socket.emit(raise ? 'raise_hand' : 'lower_hand', { room_id: this.roomId });
      });
    }
    const callForm = this.root.querySelector('.call-next-form');
    if (callForm) {
      callForm.addEventListener('submit', (event) => {
        if (!this.socket.connected) return;
        event.preventDefault();
        this.socket.emit('call_next', { room_id: this.roomId }, (answer) => {
          if (answer && !answer.ok) this.root.querySelector('.called-speaker').textContent = answer.error;
        });
      });
    }
  }
}

const panels = Array.from(document.querySelectorAll('.room-panel'))
  .filter((root) => root.dataset.paged !== 'true')
  .map((root) => new RoomPanel(root));

if (panels.length) {
  const connection = document.getElementById('live-connection');
  const ownsConnectionLine = !document.getElementById('live-meeting');
  let ended = false;
  const socket = connectLive('/rooms', {
    onConnect: () => {
      if (ownsConnectionLine) setConnectionStatus(connection, true);
      for (const panel of panels) panel.join();
    },
    onDisconnect: () => {
      if (ownsConnectionLine && !ended) setConnectionStatus(connection, false);
    },
    onAccessLost: (lost) => {
      for (const panel of panels) if (lost.channel === 'room' && lost.id === panel.roomId) panel.accessLost();
    },
  });
  const endSession = () => {
    ended = true;
    socket.disconnect();
    for (const panel of panels) panel.endSession();
    if (ownsConnectionLine && connection) connection.textContent = panels[0].root.dataset.textSignedOut;
  };
  // The server closed the connection (a sign-out, here or on another device): ask once more; a refusal means the
  // session is over. A network failure is not a refusal: the socket keeps trying and the outbox keeps the text.
  socket.on('disconnect', (reason) => reason === 'io server disconnect' && !ended && socket.connect());
  socket.on('connect_error', () => !socket.active && !ended && endSession());
  onLoginChanged(() => !ended && endSession()); // this browser signed out, or someone else signed in
  for (const panel of panels) panel.start(socket);
  window.setInterval(() => socket.connected && socket.emit('here', {}), STILL_HERE_EVERY_MS);
}
