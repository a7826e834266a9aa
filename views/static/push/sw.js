// The authenticator's service worker: it shows the Web Push notifications of login requests
// (they reach the phone while the page is closed), opens the approval card from them, renews the
// subscription when the browser rotates it, and keeps the app shell so the installed app opens
// offline (it then shows that it cannot reach the gateway).
const CACHE = 'sekisho-push-shell-v3';
const APP = '/_sekisho/push/app';
const SHELL = [
  '/_sekisho/push/app',
  '/_sekisho/static/sekisho.css',
  '/_sekisho/static/push/authenticator.css',
  // The authenticator page's script and every module it imports.
  '/_sekisho/static/push/authenticator.js',
  '/_sekisho/static/push/activation.js',
  '/_sekisho/static/push/browser-label.js',
  '/_sekisho/static/push/cards.js',
  '/_sekisho/static/push/device-api.js',
  '/_sekisho/static/push/device-store.js',
  '/_sekisho/static/push/inbox.js',
  '/_sekisho/static/push/notifications.js',
  '/_sekisho/static/push/protocol.js',
  '/_sekisho/static/push/ui.js',
  '/_sekisho/static/push/icon.svg',
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

// Network first, so a running gateway always serves the current page; the cache only when offline.
self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !SHELL.includes(url.pathname)) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          void caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
        }
        return response;
      })
      .catch(() => caches.match(url.pathname).then((cached) => cached ?? Response.error())),
  );
});

// Web Push (docs/push.md, Web Push): the gateway's message carries the notification's words and
// nothing that approves a login; the approval happens on the card, in the page.
self.addEventListener('push', (event) => {
  /** @type {{type?: string, title?: unknown, body?: unknown, tag?: unknown, url?: unknown}} */
  let message = {};
  try {
    if (event.data) message = event.data.json();
  } catch {
    // Not JSON: shown with the default title, as iOS requires a notification for every push.
  }
  const title = typeof message.title === 'string' ? message.title : 'Sekisho';
  const options = {
    body: typeof message.body === 'string' ? message.body : '',
    tag: typeof message.tag === 'string' ? message.tag : 'sekisho',
    icon: '/_sekisho/static/push/icon.svg',
    data: { url: APP },
    requireInteraction: message.type === 'login',
  };
  // Always shown: iOS ends subscriptions whose pushes show nothing.
  event.waitUntil(self.registration.showNotification(title, options));
});

// A tap opens the authenticator (or brings it to the front) with the request's card.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const tag = event.notification.tag;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      const open = windows.find((client) => new URL(client.url).pathname === APP);
      if (open) {
        open.postMessage({ type: 'show-request', transactionId: tag });
        return open.focus();
      }
      return self.clients.openWindow(APP);
    }),
  );
});

// The browser rotated the subscription: subscribe again and register it, signed with the
// device key the page keeps in IndexedDB. The payload is laid out as protocol.js's
// subscribePayload does (a classic worker cannot import that module).
self.addEventListener('pushsubscriptionchange', (event) => {
  const change =
    /** @type {Event & {oldSubscription?: PushSubscription, newSubscription?: PushSubscription}} */ (event);
  /** @type {ExtendableEvent} */ (event).waitUntil(
    renewSubscription(change.oldSubscription, change.newSubscription),
  );
});

/**
 * @param {PushSubscription | undefined} old
 * @param {PushSubscription | undefined} renewed
 */
async function renewSubscription(old, renewed) {
  const device = await loadDevice();
  if (!device) return;
  let subscription = renewed;
  if (!subscription) {
    const key = await fetch('/_sekisho/push/device/web-push-key', { cache: 'no-store' }).then((r) =>
      r.ok ? r.json() : null,
    );
    const applicationServerKey = old?.options.applicationServerKey ?? (key ? toBytes(key.publicKey) : null);
    if (!applicationServerKey) return;
    subscription = await self.registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey,
    });
  }
  const json = subscription.toJSON();
  const unpadded = (/** @type {string | undefined} */ value) => String(value ?? '').replace(/=+$/, '');
  const fields = {
    endpoint: subscription.endpoint,
    p256dh: unpadded(json.keys?.p256dh),
    auth: unpadded(json.keys?.auth),
  };
  const time = Date.now();
  const nonce = toBase64url(crypto.getRandomValues(new Uint8Array(16)));
  const payload = [
    'sekisho-push/1',
    'subscribe',
    device.deviceId,
    String(time),
    nonce,
    fields.endpoint,
    fields.p256dh,
    fields.auth,
  ].join('\n');
  const signature = toBase64url(
    await crypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      device.privateKey,
      new TextEncoder().encode(payload),
    ),
  );
  const subscriptionJson = { endpoint: fields.endpoint, keys: { p256dh: fields.p256dh, auth: fields.auth } };
  const locale = typeof device.locale === 'string' && device.locale === 'en' ? 'en' : 'ja';
  await fetch('/_sekisho/push/device/subscription', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      deviceId: device.deviceId,
      time,
      nonce,
      signature,
      subscription: subscriptionJson,
      locale,
    }),
    credentials: 'omit',
  });
}

/** The device the page stored (device-store.js: database `sekisho-push`, store `device`, key `current`). */
function loadDevice() {
  return new Promise((resolve) => {
    const open = indexedDB.open('sekisho-push', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('device');
    open.onerror = () => resolve(undefined);
    open.onsuccess = () => {
      const db = open.result;
      const request = db.transaction('device', 'readonly').objectStore('device').get('current');
      request.onsuccess = () => {
        db.close();
        resolve(request.result);
      };
      request.onerror = () => {
        db.close();
        resolve(undefined);
      };
    };
  });
}

/** @param {ArrayBuffer | Uint8Array} bytes */
function toBase64url(bytes) {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = '';
  for (const b of view) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** @param {string} base64url */
function toBytes(base64url) {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
