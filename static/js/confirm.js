// Ask before a destructive action. A form marked data-confirm (templates/_macros/confirm.html) opens a modal dialog
// with the words the server put on it: the safe choice has the focus, Escape or "No" closes it and the focus returns
// to the button; "Yes" sends the form with confirmed=1. Without this script the server asks on a page of its own.

let dialog = null;
let pending = null; // { form, opener } while the dialog is open

function element(tag, className, attributes = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function buildDialog() {
  const box = element('dialog', 'confirm-dialog', {
    'aria-labelledby': 'confirm-dialog-title', 'aria-describedby': 'confirm-dialog-text',
  });
  const title = element('h2', 'h5', { id: 'confirm-dialog-title' });
  const text = element('p', '', { id: 'confirm-dialog-text' });
  const buttons = element('div', 'd-flex flex-wrap gap-2 justify-content-end');
  const no = element('button', 'btn btn-secondary', { type: 'button', 'data-confirm-answer': 'no' });
  const yes = element('button', 'btn btn-danger', { type: 'button', 'data-confirm-answer': 'yes' });
  buttons.append(no, yes);
  box.append(title, text, buttons);
  no.addEventListener('click', () => box.close('no'));
  yes.addEventListener('click', () => box.close('yes'));
  // The close event comes a task later: if the dialog was opened again meanwhile (Escape, then Enter on the button
  // at once), that late event belongs to the earlier question and must not answer the new one.
  box.addEventListener('close', () => !box.open && answered(box.returnValue === 'yes'));
  document.body.append(box);
  return box;
}

function send(form) {
  let field = form.querySelector('input[name="confirmed"]');
  if (!field) {
    field = element('input', '', { type: 'hidden', name: 'confirmed' });
    form.append(field);
  }
  field.value = '1';
  HTMLFormElement.prototype.submit.call(form); // not requestSubmit: that would ask again
}

function answered(yes) {
  if (!pending) return;
  const { form, opener } = pending;
  pending = null;
  if (yes) {
    send(form);
  } else if (opener && opener.isConnected) {
    opener.focus();
  }
}

function ask(form, opener) {
  dialog = dialog || buildDialog();
  dialog.querySelector('#confirm-dialog-title').textContent = form.dataset.confirmQuestion;
  dialog.querySelector('#confirm-dialog-text').textContent = form.dataset.confirmConsequence;
  dialog.querySelector('[data-confirm-answer="yes"]').textContent = form.dataset.confirmYes;
  dialog.querySelector('[data-confirm-answer="no"]').textContent = form.dataset.confirmNo;
  dialog.returnValue = '';
  pending = { form, opener };
  dialog.showModal();
  dialog.querySelector('[data-confirm-answer="no"]').focus();
}

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-confirm')) return;
  if (typeof HTMLDialogElement !== 'function') return; // the server's confirmation page asks instead
  event.preventDefault();
  ask(form, event.submitter || form.querySelector('button[type="submit"]'));
});
