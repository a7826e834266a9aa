// The Sekisho authenticator page (docs/push.md): activates this browser as a device from a
// `#activate=<code>` link, keeps its non-extractable key in IndexedDB, long-polls the inbox
// and answers each login request with a signed approve, deny or report.
import {
  PATTERNS,
  activatePayload,
  generateDeviceKey,
  inboxPayload,
  publicJwk,
  respondPayload,
  sign,
} from './protocol.js';

const API = '/_sekisho/push/device';
const WAIT_SECONDS = 25;
/** Between polls while requests are pending (the inbox answers at once then). */
const PENDING_POLL_MS = 2000;
const MAX_BACKOFF_MS = 30_000;
/** Answered or expired cards kept on screen. */
const MAX_CLOSED_CARDS = 5;

/**
 * @typedef {{deviceId: string, userId: string, origin: string, name: string,
 *   privateKey: CryptoKey, publicKey: CryptoKey, createdAt: number}} Device
 * @typedef {{transactionId: string, challenge: string, choices: number[], createdAt: number,
 *   expiresAt: number, client: {ip: string, userAgent: string, browser: string}, path: string,
 *   unknownEnvironment: boolean}} PendingRequest
 * @typedef {{request: PendingRequest, element: HTMLElement, open: boolean}} Card
 */

/** @type {Record<string, string>} */
const messages = JSON.parse(document.getElementById('push-messages')?.textContent ?? '{}');
const locale = document.documentElement.lang || undefined;

/** @param {string} id */
function byId(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`missing #${id}`);
  return element;
}

const ui = {
  notice: byId('push-notice'),
  status: byId('push-status'),
  retry: /** @type {HTMLButtonElement} */ (byId('push-retry')),
  requests: byId('push-requests'),
  list: byId('push-request-list'),
  device: byId('push-device'),
  userId: byId('push-user-id'),
  deviceId: byId('push-device-id'),
  notifications: /** @type {HTMLButtonElement} */ (byId('push-notifications')),
  forget: /** @type {HTMLButtonElement} */ (byId('push-forget')),
  forgetConfirm: byId('push-forget-confirm'),
  forgetYes: byId('push-forget-yes'),
  forgetNo: byId('push-forget-no'),
  template: /** @type {HTMLTemplateElement} */ (byId('push-card-template')),
};

/**
 * @param {string} key
 * @param {Record<string, string | number>} [vars]
 */
function text(key, vars = {}) {
  return (messages[key] ?? key).replace(/\{(\w+)\}/g, (whole, name) =>
    name in vars ? String(vars[name]) : whole,
  );
}

/**
 * @param {HTMLElement} element
 * @param {string} message
 * @param {'info' | 'error' | ''} tone
 */
function show(element, message, tone = '') {
  element.textContent = message;
  element.classList.toggle('info', tone === 'info');
  element.classList.toggle('error', tone === 'error');
  element.hidden = message === '';
}

const setStatus = (/** @type {string} */ key, vars = {}, tone = /** @type {'info'|'error'|''} */ ('')) =>
  show(ui.status, text(key, vars), tone);
const setNotice = (/** @type {string} */ key, tone = /** @type {'info'|'error'|''} */ ('info')) =>
  show(ui.notice, key ? text(key) : '', tone);

// --- IndexedDB: one device per browser profile --------------------------------------------

const DB_NAME = 'sekisho-push';
const STORE = 'device';
const KEY = 'current';

/** @returns {Promise<IDBDatabase>} */
function openDb() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE);
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

/**
 * @template T
 * @param {IDBTransactionMode} mode
 * @param {(store: IDBObjectStore) => IDBRequest<T>} operation
 * @returns {Promise<T>}
 */
async function withStore(mode, operation) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = operation(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  } finally {
    db.close();
  }
}

/** @returns {Promise<Device | undefined>} */
const loadDevice = () => withStore('readonly', (store) => store.get(KEY));
/** @param {Device} device CryptoKeys are structured-cloneable: the private key never leaves as bytes. */
const saveDevice = (device) => withStore('readwrite', (store) => store.put(device, KEY));
const deleteDevice = () => withStore('readwrite', (store) => store.delete(KEY));

// --- HTTP -----------------------------------------------------------------------------------

/**
 * @param {string} path
 * @param {unknown} body
 * @param {AbortSignal} [signal]
 */
function postJson(path, body, signal) {
  return fetch(`${API}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
    cache: 'no-store',
    credentials: 'omit',
    signal,
  });
}

/** Ends the inbox loop's pause early (once every open request is answered). */
let wake = () => {};

/**
 * @param {number} ms
 * @param {AbortSignal} signal
 */
function pause(ms, signal) {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      wake = () => {};
      resolve(undefined);
    };
    const timer = setTimeout(done, ms);
    wake = done;
    signal.addEventListener('abort', done, { once: true });
  });
}

// --- Activation -----------------------------------------------------------------------------

/** A short label for this browser ("Chrome on Android"), the device's default name. */
function browserLabel() {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\/|FxiOS/.test(ua)
      ? 'Firefox'
      : /Chrome\/|CriOS/.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : 'Browser';
  const os = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad|iPod/.test(ua)
      ? 'iOS'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X/.test(ua)
          ? 'macOS'
          : /Linux/.test(ua)
            ? 'Linux'
            : '';
  return (os ? `${browser} on ${os}` : browser).slice(0, 64);
}

/** The activation code from `#activate=<code>`, removed from the address bar at once. */
function takeActivationCode() {
  const match = /^#activate=(.*)$/.exec(location.hash);
  if (!match) return null;
  history.replaceState(null, '', `${location.pathname}${location.search}`);
  return match[1] ?? '';
}

/**
 * @param {string} code
 * @returns {Promise<Device | null>}
 */
async function activate(code) {
  if (!PATTERNS.code.test(code)) return (setNotice('badLink', 'error'), null);
  setNotice('activating', '');
  const name = browserLabel();
  const keys = await generateDeviceKey(false);
  const body = {
    code,
    publicKey: await publicJwk(keys.publicKey),
    name,
    signature: await sign(keys.privateKey, activatePayload(code)),
  };
  let response;
  try {
    response = await postJson('activate', body);
  } catch {
    return (setNotice('activationFailed', 'error'), null);
  }
  if (response.status === 410) return (setNotice('activationExpired', 'error'), null);
  if (response.status === 401) return (setNotice('activationRefused', 'error'), null);
  if (!response.ok) return (setNotice('activationFailed', 'error'), null);
  const { deviceId, userId } = await response.json();
  /** @type {Device} */
  const device = {
    deviceId,
    userId,
    origin: location.origin,
    name,
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
    createdAt: Date.now(),
  };
  await saveDevice(device);
  setNotice('activated', 'info');
  return device;
}

// --- Request cards --------------------------------------------------------------------------

/** @type {Map<string, Card>} */
const cards = new Map();
/** Requests whose cards were pruned: a late inbox answer must not show them again. */
const dismissed = new Set();

/**
 * @param {HTMLElement} root
 * @param {string} name
 */
function slot(root, name) {
  return /** @type {HTMLElement} */ (root.querySelector(`[data-field="${name}"]`));
}

/**
 * @param {Device} device
 * @param {PendingRequest} request
 */
function buildCard(device, request) {
  const fragment = /** @type {DocumentFragment} */ (ui.template.content.cloneNode(true));
  const element = /** @type {HTMLElement} */ (fragment.firstElementChild);
  element.dataset.transactionId = request.transactionId;
  element.setAttribute('aria-label', text('requestTitle'));
  /** @type {HTMLElement} */ (element.querySelector('.push-card-title')).textContent = text('requestTitle');
  for (const label of element.querySelectorAll('[data-label]')) {
    label.textContent = text(/** @type {HTMLElement} */ (label).dataset.label ?? '');
  }
  const warning = /** @type {HTMLElement} */ (element.querySelector('.push-warning'));
  if (request.unknownEnvironment) {
    warning.textContent = text('unknownEnvironment');
    warning.setAttribute('role', 'alert');
    warning.hidden = false;
  }
  slot(element, 'ip').textContent = request.client.ip;
  slot(element, 'browser').textContent = request.client.browser;
  slot(element, 'browser').title = request.client.userAgent;
  slot(element, 'time').textContent = new Date(request.createdAt).toLocaleString(locale);
  slot(element, 'path').textContent = request.path;
  slot(element, 'reportHint').textContent = text('reportHint');
  addDecisionButtons(device, request, element);
  return element;
}

/**
 * @param {Device} device
 * @param {PendingRequest} request
 * @param {HTMLElement} element
 */
function addDecisionButtons(device, request, element) {
  const numbers = slot(element, 'numbers');
  if (request.choices.length > 0) {
    slot(element, 'pick').textContent = text('pickNumber');
    for (const number of request.choices) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'push-number';
      button.textContent = String(number);
      button.setAttribute('aria-label', text('approveWith', { number }));
      button.addEventListener('click', () => void answer(device, request, 'approve', String(number)));
      numbers.append(button);
    }
  } else {
    slot(element, 'pick').hidden = true;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'push-approve';
    button.textContent = text('approve');
    button.addEventListener('click', () => void answer(device, request, 'approve', ''));
    numbers.append(button);
  }
  for (const button of element.querySelectorAll('[data-decision]')) {
    const decision = /** @type {HTMLElement} */ (button).dataset.decision ?? '';
    button.textContent = text(decision);
    button.addEventListener('click', () => void answer(device, request, decision, ''));
  }
}

/**
 * @param {Card} card
 * @param {boolean} disabled
 */
function setButtonsDisabled(card, disabled) {
  for (const button of card.element.querySelectorAll('button')) {
    /** @type {HTMLButtonElement} */ (button).disabled = disabled;
  }
}

/**
 * @param {Card} card
 * @param {string} key
 * @param {'info' | 'error' | ''} tone
 */
function closeCard(card, key, tone) {
  card.open = false;
  setButtonsDisabled(card, true);
  card.element.classList.add('push-card-closed');
  show(slot(card.element, 'outcome'), text(key), tone);
  slot(card.element, 'expiry').hidden = true;
  pruneClosedCards();
  refreshRequestsSection();
  if (![...cards.values()].some((other) => other.open)) wake();
}

function pruneClosedCards() {
  const closed = [...cards.values()].filter((card) => !card.open);
  for (const card of closed.slice(0, Math.max(0, closed.length - MAX_CLOSED_CARDS))) {
    card.element.remove();
    cards.delete(card.request.transactionId);
    dismissed.add(card.request.transactionId);
  }
}

function refreshRequestsSection() {
  ui.requests.hidden = cards.size === 0;
}

/** @type {Record<string, [string, 'info' | 'error']>} */
const OUTCOMES = {
  approved: ['approved', 'info'],
  denied: ['denied', 'info'],
  reported: ['reported', 'info'],
  wrong_number: ['wrongNumber', 'error'],
};

/**
 * @param {Device} device
 * @param {PendingRequest} request
 * @param {string} decision
 * @param {string} number
 */
async function answer(device, request, decision, number) {
  const card = cards.get(request.transactionId);
  if (!card || !card.open) return;
  setButtonsDisabled(card, true);
  const outcome = slot(card.element, 'outcome');
  show(outcome, text('sending'), '');
  const base = { deviceId: device.deviceId, transactionId: request.transactionId, decision, number };
  let response;
  /** @type {{outcome?: string}} */
  let body = {};
  try {
    const signature = await sign(
      device.privateKey,
      respondPayload({ ...base, challenge: request.challenge }),
    );
    response = await postJson('respond', { ...base, signature });
    if (response.ok) body = await response.json();
  } catch {
    show(outcome, text('respondFailed'), 'error');
    return setButtonsDisabled(card, false);
  }
  if (response.ok) {
    const [key, tone] = OUTCOMES[body.outcome ?? ''] ?? ['respondFailed', 'error'];
    return closeCard(card, key, tone);
  }
  if (response.status === 404) return closeCard(card, 'noSuchRequest', 'error');
  if (response.status === 409) return closeCard(card, 'alreadyDecided', 'error');
  if (response.status === 401) return closeCard(card, 'unauthorized', 'error');
  show(outcome, text('respondFailed'), 'error');
  setButtonsDisabled(card, false);
}

/**
 * Adds cards for new requests; a card whose request left the inbox unanswered is closed.
 * @param {Device} device
 * @param {PendingRequest[]} requests
 */
function renderRequests(device, requests) {
  const live = new Set(requests.map((request) => request.transactionId));
  for (const card of cards.values()) {
    if (card.open && !live.has(card.request.transactionId)) closeCard(card, 'noSuchRequest', 'error');
  }
  const fresh = requests
    .filter((request) => !cards.has(request.transactionId) && !dismissed.has(request.transactionId))
    .sort((a, b) => a.createdAt - b.createdAt);
  for (const request of fresh) {
    const element = buildCard(device, request);
    cards.set(request.transactionId, { request, element, open: true });
    ui.list.prepend(element);
    notify(request).catch(() => {
      // Notifications are a courtesy: the card is on the page either way.
    });
  }
  tick();
  refreshRequestsSection();
}

/** Counts down each open card and closes it when it expires. */
function tick() {
  const now = Date.now();
  for (const card of cards.values()) {
    if (!card.open) continue;
    const seconds = Math.ceil((card.request.expiresAt - now) / 1000);
    if (seconds <= 0) closeCard(card, 'expired', 'error');
    else slot(card.element, 'expiry').textContent = text('expiresIn', { seconds });
  }
}
setInterval(tick, 1000);

// --- Notifications (only while the page is open: there is no outside push cloud) ------------

function setUpNotifications() {
  if (!('Notification' in window) || Notification.permission !== 'default') return;
  ui.notifications.hidden = false;
  ui.notifications.addEventListener('click', async () => {
    await Notification.requestPermission();
    ui.notifications.hidden = true;
  });
}

/** @param {PendingRequest} request */
async function notify(request) {
  if (!document.hidden || !('Notification' in window) || Notification.permission !== 'granted') return;
  const title = text('notificationTitle');
  const options = {
    body: text('notificationBody', {
      path: request.path,
      browser: request.client.browser,
      ip: request.client.ip,
    }),
    tag: request.transactionId,
    icon: '/_sekisho/static/push/icon.svg',
  };
  const registration = await navigator.serviceWorker?.getRegistration();
  if (registration) await registration.showNotification(title, options);
  else new Notification(title, options);
}

// --- The inbox loop -------------------------------------------------------------------------

/** @type {AbortController | null} */
let loop = null;

/**
 * @param {Device} device
 * @param {AbortSignal} signal
 */
async function signedInbox(device, signal) {
  const time = Date.now();
  const signature = await sign(device.privateKey, inboxPayload(device.deviceId, time));
  return postJson('inbox', { deviceId: device.deviceId, time, signature, waitSeconds: WAIT_SECONDS }, signal);
}

/** @param {Device} device */
async function runInbox(device) {
  loop?.abort();
  const controller = new AbortController();
  loop = controller;
  const { signal } = controller;
  ui.retry.hidden = true;
  setStatus('waiting');
  let failures = 0;
  while (!signal.aborted) {
    let response = null;
    /** @type {PendingRequest[] | null} */
    let requests = null;
    try {
      response = await signedInbox(device, signal);
      if (response.ok) requests = (await response.json()).requests;
    } catch {
      // A dropped connection or a restarting gateway: back off and try again.
    }
    if (signal.aborted) return;
    if (response?.status === 401) return stopUnauthorized();
    if (!Array.isArray(requests)) {
      failures += 1;
      const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(failures - 1, 5));
      setStatus('offline', { seconds: Math.round(delay / 1000) }, 'error');
      await pause(delay, signal);
      continue;
    }
    failures = 0;
    setStatus('waiting');
    renderRequests(device, requests);
    if (requests.length > 0) await pause(PENDING_POLL_MS, signal);
  }
}

function stopUnauthorized() {
  setStatus('unauthorized', {}, 'error');
  ui.retry.textContent = text('retry');
  ui.retry.hidden = false;
}

// --- Device panel ---------------------------------------------------------------------------

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
    loop?.abort();
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

function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/_sekisho/push/sw.js', { scope: '/_sekisho/push/' }).catch(() => {
    // Without it the page still works; it only cannot open offline.
  });
}

function clearCards() {
  cards.clear();
  ui.list.replaceChildren();
  refreshRequestsSection();
}

/** Activates from the fragment if it carries a code, then shows and polls the stored device. */
async function enter() {
  const code = takeActivationCode();
  const activated = code === null ? null : await activate(code);
  if (activated) {
    loop?.abort();
    clearCards();
  }
  const device = activated ?? (await loadDevice());
  if (!device) return setStatus('notEnrolled');
  showDevice(device);
  void runInbox(device);
}

async function main() {
  if (!globalThis.crypto?.subtle || !('indexedDB' in window)) {
    takeActivationCode();
    return setNotice('unsupported', 'error');
  }
  setUpForget();
  setUpNotifications();
  registerServiceWorker();
  // A second link opened in this tab changes only the fragment: no new page load.
  window.addEventListener('hashchange', () => {
    if (location.hash.startsWith('#activate=')) enter().catch(() => setNotice('activationFailed', 'error'));
  });
  await enter();
}

main().catch(() => setNotice('activationFailed', 'error'));
