// The request cards: one per login request in the inbox, with its number choices and the
// approve, deny and report buttons. A card closes when answered, expired or gone from the inbox.
import { postDecision } from './device-api.js';
import { notify } from './notifications.js';
import { locale, show, text, ui } from './ui.js';

/**
 * @typedef {import('./device-store.js').Device} Device
 * @typedef {import('./device-api.js').PendingRequest} PendingRequest
 * @typedef {{request: PendingRequest, element: HTMLElement, open: boolean}} Card
 */

/** Answered or expired cards kept on screen. */
const MAX_CLOSED_CARDS = 5;

/** @type {Map<string, Card>} */
const cards = new Map();
/** Requests whose cards were pruned: a late inbox answer must not show them again. */
const dismissed = new Set();

/** Called when no card is left open (the inbox loop then polls again at once). */
let allAnswered = () => {};

/** @param {() => void} callback */
export function onAllAnswered(callback) {
  allAnswered = callback;
}

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
  if (![...cards.values()].some((other) => other.open)) allAnswered();
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
  let response;
  /** @type {{outcome?: string}} */
  let body = {};
  try {
    response = await postDecision(device, request, decision, number);
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
export function renderRequests(device, requests) {
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
export function tick() {
  const now = Date.now();
  for (const card of cards.values()) {
    if (!card.open) continue;
    const seconds = Math.ceil((card.request.expiresAt - now) / 1000);
    if (seconds <= 0) closeCard(card, 'expired', 'error');
    else slot(card.element, 'expiry').textContent = text('expiresIn', { seconds });
  }
}

/** Removes every card (a new device, or this one forgotten). */
export function clearCards() {
  cards.clear();
  ui.list.replaceChildren();
  refreshRequestsSection();
}
