// The authenticator's service worker: it keeps the app shell so the installed app opens
// offline (it then shows that it cannot reach the gateway). There is no Push API here: Sekisho
// uses no outside push cloud; requests arrive by long-polling while the page is open.
const CACHE = 'sekisho-push-shell-v2';
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

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      const open = windows.find((client) => new URL(client.url).pathname === '/_sekisho/push/app');
      return open ? open.focus() : self.clients.openWindow('/_sekisho/push/app');
    }),
  );
});
