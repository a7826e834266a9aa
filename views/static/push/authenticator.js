// The Sekisho authenticator page (docs/push.md): activates this browser as a device from a
// `#activate=<code>` link, keeps its non-extractable key in IndexedDB, long-polls the inbox
// and answers each login request with a signed approve, deny or report.
//
// This entry wires the parts together: ui.js (elements, messages), device-store.js (IndexedDB),
// device-api.js (the signed calls), activation.js, cards.js (the requests), notifications.js
// and inbox.js (the long-poll loop).
import { activate, takeActivationCode } from './activation.js';
import { clearCards, onAllAnswered, tick } from './cards.js';
import { deleteDevice, loadDevice } from './device-store.js';
import { runInbox, stopInbox, wakeInbox } from './inbox.js';
import { setUpNotifications } from './notifications.js';
import { setNotice, setStatus, ui } from './ui.js';

/** @typedef {import('./device-store.js').Device} Device */

/** @param {Device} device */
function showDevice(device) {
  ui.userId.textContent = device.userId;
  /** @type {HTMLElement} */ (ui.deviceId.querySelector('code')).textContent = device.deviceId;
  ui.device.hidden = false;
  ui.retry.onclick = () => void runInbox(device);
}

function setUpForget() {
  ui.forget.addEventListener('click', () => {
    ui.forgetConfirm.hidden = false;
    ui.forget.hidden = true;
    /** @type {HTMLButtonElement} */ (ui.forgetNo).focus();
  });
  ui.forgetNo.addEventListener('click', () => {
    ui.forgetConfirm.hidden = true;
    ui.forget.hidden = false;
  });
  ui.forgetYes.addEventListener('click', async () => {
    stopInbox();
    await deleteDevice();
    clearCards();
    ui.forgetConfirm.hidden = true;
    ui.forget.hidden = false;
    ui.device.hidden = true;
    ui.retry.hidden = true;
    setNotice('forgotten', 'info');
    setStatus('notEnrolled');
  });
}

/** A tapped notification brings this page forward: poll now and show that request's card. */
function followNotifications() {
  navigator.serviceWorker?.addEventListener('message', (event) => {
    if (event.data?.type !== 'show-request') return;
    wakeInbox();
    const id = String(event.data.transactionId ?? '');
    document.querySelector(`[data-transaction-id="${CSS.escape(id)}"]`)?.scrollIntoView({ block: 'center' });
  });
}

function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  followNotifications();
  navigator.serviceWorker.register('/_sekisho/push/sw.js', { scope: '/_sekisho/push/' }).catch(() => {
    // Without it the page still works; it only cannot open offline.
  });
}

/** Activates from the fragment if it carries a code, then shows and polls the stored device. */
async function enter() {
  const code = takeActivationCode();
  const activated = code === null ? null : await activate(code);
  if (activated) {
    stopInbox();
    clearCards();
  }
  const device = activated ?? (await loadDevice());
  if (!device) return setStatus('notEnrolled');
  showDevice(device);
  void setUpNotifications(device);
  void runInbox(device);
}

async function main() {
  if (!globalThis.crypto?.subtle || !('indexedDB' in window)) {
    takeActivationCode();
    return setNotice('unsupported', 'error');
  }
  setUpForget();
  registerServiceWorker();
  // A second link opened in this tab changes only the fragment: no new page load.
  window.addEventListener('hashchange', () => {
    if (location.hash.startsWith('#activate=')) enter().catch(() => setNotice('activationFailed', 'error'));
  });
  await enter();
}

// Answering the last open card ends the loop's pause, so the next poll comes at once.
onAllAnswered(wakeInbox);
setInterval(tick, 1000);
main().catch(() => setNotice('activationFailed', 'error'));
