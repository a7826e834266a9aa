// The enrolment page (`/_sekisho/push/enroll#<code>`): shows the activation link as a QR code
// to scan from a PC screen. The code moves from the fragment to a JSON body, so it never
// appears in a request line, a log or a Referer.
import { PATTERNS } from './protocol.js';

/** @type {Record<string, string>} */
const messages = JSON.parse(document.getElementById('push-messages')?.textContent ?? '{}');
const locale = document.documentElement.lang || undefined;

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const status = byId('enrol-status');
const loadingText = status.textContent;

/**
 * @param {string} key
 * @param {Record<string, string>} [vars]
 */
function text(key, vars = {}) {
  return (messages[key] ?? key).replace(/\{(\w+)\}/g, (whole, name) =>
    name in vars ? String(vars[name]) : whole,
  );
}

/**
 * @param {string} key
 * @param {'info' | 'error'} tone
 */
function setStatus(key, tone) {
  status.textContent = text(key);
  status.classList.toggle('error', tone === 'error');
  status.classList.toggle('info', tone === 'info');
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let expiryTimer;

function expire() {
  byId('enrol-qr').hidden = true;
  byId('enrol-steps').hidden = true;
  byId('enrol-manual').hidden = true;
  byId('enrol-qr-image').replaceChildren();
  setStatus('enrolExpired', 'error');
}

/** The code from `#<code>` (or `#activate=<code>`), removed from the address bar at once. */
function takeCode() {
  const fragment = location.hash.replace(/^#(activate=)?/, '');
  if (location.hash) history.replaceState(null, '', `${location.pathname}${location.search}`);
  return PATTERNS.code.test(fragment) ? fragment : null;
}

/** @param {{svg: string, url: string, expiresAt: number}} answer */
function showQr(answer) {
  const svg = new DOMParser().parseFromString(answer.svg, 'image/svg+xml').documentElement;
  if (svg.nodeName !== 'svg') throw new Error('not an SVG');
  svg.setAttribute('aria-hidden', 'true');
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  byId('enrol-qr-image').replaceChildren(document.importNode(svg, true));
  const time = new Date(answer.expiresAt).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  byId('enrol-expiry').textContent = text('enrolValidUntil', { time });
  byId('enrol-url').textContent = answer.url;
  byId('enrol-qr').hidden = false;
  byId('enrol-steps').hidden = false;
  byId('enrol-manual').hidden = false;
  setStatus('enrolReady', 'info');
  clearTimeout(expiryTimer);
  expiryTimer = setTimeout(expire, Math.max(0, answer.expiresAt - Date.now()));
}

async function main() {
  const code = takeCode();
  status.classList.remove('error', 'info');
  status.textContent = loadingText;
  if (!code) return setStatus('enrolNoCode', 'error');
  let response;
  try {
    response = await fetch('/_sekisho/push/enroll/qr', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ code }),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    return setStatus('enrolFailed', 'error');
  }
  if (response.status === 410) return expire();
  if (!response.ok) return setStatus('enrolFailed', 'error');
  showQr(await response.json());
}

main().catch(() => setStatus('enrolFailed', 'error'));
// A second link opened in this tab changes only the fragment: no new page load.
window.addEventListener('hashchange', () => {
  if (location.hash) main().catch(() => setStatus('enrolFailed', 'error'));
});
