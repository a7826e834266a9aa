// System notifications for new requests, only while the page is open: there is no outside push
// cloud, so a closed page hears nothing.
import { text, ui } from './ui.js';

/** @typedef {import('./device-api.js').PendingRequest} PendingRequest */

/** Offers the permission button while the browser has not been asked yet. */
export function setUpNotifications() {
  if (!('Notification' in window) || Notification.permission !== 'default') return;
  ui.notifications.hidden = false;
  ui.notifications.addEventListener('click', async () => {
    await Notification.requestPermission();
    ui.notifications.hidden = true;
  });
}

/**
 * Notifies of a request while the page is hidden (a visible page shows the card instead).
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
  const registration = await navigator.serviceWorker?.getRegistration();
  if (registration) await registration.showNotification(title, options);
  else new Notification(title, options);
}
