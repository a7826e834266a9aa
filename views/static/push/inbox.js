// The inbox loop: long-polls the gateway for this device's pending requests, hands them to the
// cards, and backs off while the gateway cannot be reached. At most one loop runs at a time.
import { renderRequests } from './cards.js';
import { postInbox } from './device-api.js';
import { setStatus, text, ui } from './ui.js';

/**
 * @typedef {import('./device-store.js').Device} Device
 * @typedef {import('./device-api.js').PendingRequest} PendingRequest
 */

/** Between polls while requests are pending (the inbox answers at once then). */
const PENDING_POLL_MS = 2000;
const MAX_BACKOFF_MS = 30_000;

/** Ends the inbox loop's pause early (once every open request is answered). */
let wake = () => {};

/** @type {AbortController | null} */
let loop = null;

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

/** Cuts the current pause short, so the loop polls again now. */
export function wakeInbox() {
  wake();
}

/** Stops the running loop, if any. */
export function stopInbox() {
  loop?.abort();
}

/**
 * Starts polling for `device`, stopping any loop already running.
 * @param {Device} device
 */
export async function runInbox(device) {
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
      response = await postInbox(device, signal);
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
