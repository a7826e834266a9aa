// Notifications: Web Push through the browser's push service, so a login request reaches this
// phone while the page is closed (the service worker shows it), plus a notification from the open
// page while it is hidden. Shows the state plainly (allowed / blocked / not installed), offers the
// permission and install buttons, and a test notification.
import { getWebPushKey, postSubscription, postTestPush } from './device-api.js';
import { saveDevice } from './device-store.js';
import { locale, show, text, ui } from './ui.js';

/**
 * @typedef {import('./device-api.js').PendingRequest} PendingRequest
 * @typedef {import('./device-store.js').Device} Device
 */

const SCOPE = '/_sekisho/push/';

/** iOS delivers Web Push only to a web app added to the Home Screen (16.4 and later). */
function isIos() {
  return (
    /iPhone|iPad|iPod/.test(navigator.userAgent) ||
    (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1)
  );
}

function isInstalled() {
  const nav = /** @type {Navigator & {standalone?: boolean}} */ (navigator);
  return matchMedia('(display-mode: standalone)').matches || nav.standalone === true;
}

function canPush() {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

/**
 * @param {string} key
 * @param {'info' | 'error' | ''} [tone]
 * @param {Record<string, string>} [vars]
 */
function setState(key, tone = '', vars = {}) {
  ui.notifyState.dataset.state = key;
  show(ui.notifyState, text(key, vars), tone);
}

/** @param {string} base64url */
function toBytes(base64url) {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** @param {ArrayBuffer | null | undefined} a @param {Uint8Array} b */
function sameBytes(a, b) {
  if (!a || a.byteLength !== b.length) return false;
  const view = new Uint8Array(a);
  return view.every((byte, i) => byte === b[i]);
}

/** The browser's subscription under the gateway's key (a new one if the key changed). */
async function currentSubscription(publicKey) {
  const registration = await navigator.serviceWorker.register(`${SCOPE}sw.js`, { scope: SCOPE });
  await navigator.serviceWorker.ready;
  const key = toBytes(publicKey);
  const existing = await registration.pushManager.getSubscription();
  if (existing && sameBytes(existing.options.applicationServerKey, key)) return existing;
  await existing?.unsubscribe();
  return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
}

/**
 * Subscribes (or renews) and registers the subscription with the gateway; the state to show.
 * @param {Device} device
 * @param {string} publicKey
 */
async function register(device, publicKey) {
  try {
    const subscription = await currentSubscription(publicKey);
    const language = locale === 'en' ? 'en' : 'ja';
    // The service worker renews the subscription on its own, in this language.
    await saveDevice({ ...device, locale: language });
    const response = await postSubscription(device, subscription, language);
    if (response.status === 403) return setState('pushEndpointRefused', 'error');
    if (!response.ok) return setState('pushSubscribeFailed', 'error');
    setState('pushStateGranted', 'info');
    ui.testPush.hidden = false;
  } catch {
    setState('pushSubscribeFailed', 'error');
  }
}

/** Chrome and Edge on Android offer installing the page as an app; show that as a button. */
function offerInstall() {
  window.addEventListener('beforeinstallprompt', (event) => {
    event.preventDefault();
    const prompt = /** @type {Event & {prompt: () => Promise<void>}} */ (event);
    ui.install.hidden = false;
    ui.install.onclick = async () => {
      ui.install.hidden = true;
      await prompt.prompt();
    };
  });
}

/**
 * Shows the notification state for this device and the buttons that change it.
 * @param {Device} device
 */
export async function setUpNotifications(device) {
  ui.notify.hidden = false;
  offerInstall();
  ui.testPush.onclick = async () => {
    ui.testPush.disabled = true;
    try {
      const response = await postTestPush(device);
      const outcome = response.ok ? (await response.json()).outcome : String(response.status);
      if (outcome === 'delivered') setState('testPushSent', 'info');
      else setState('testPushFailed', 'error', { reason: outcome });
    } catch {
      setState('testPushFailed', 'error', { reason: 'offline' });
    } finally {
      ui.testPush.disabled = false;
    }
  };
  if (!canPush())
    return setState(isIos() && !isInstalled() ? 'pushStateNotInstalled' : 'pushStateUnsupported');
  const publicKey = await getWebPushKey().catch(() => null);
  if (!publicKey) return setState('pushStateOff');
  if (Notification.permission === 'denied') return setState('pushStateDenied', 'error');
  if (Notification.permission === 'granted') return register(device, publicKey);
  setState('pushStateDefault');
  ui.notifications.hidden = false;
  ui.notifications.onclick = async () => {
    const permission = await Notification.requestPermission();
    ui.notifications.hidden = permission !== 'default';
    if (permission === 'granted') await register(device, publicKey);
    else if (permission === 'denied') setState('pushStateDenied', 'error');
  };
}

/**
 * Notifies of a request while the page is open but hidden (a visible page shows the card
 * instead). The same tag as the Web Push notification, so a phone shows one of them.
 * @param {PendingRequest} request
 */
export async function notify(request) {
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
  const registration = await navigator.serviceWorker?.getRegistration(SCOPE);
  if (registration) await registration.showNotification(title, options);
  else new Notification(title, options);
}
