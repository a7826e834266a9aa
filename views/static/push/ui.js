// The authenticator page's elements and its words: the messages the server put in the page,
// and the notice and status lines every other module writes to.

/** @type {Record<string, string>} */
const messages = JSON.parse(document.getElementById('push-messages')?.textContent ?? '{}');
export const locale = document.documentElement.lang || undefined;

/** @param {string} id */
function byId(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`missing #${id}`);
  return element;
}

export const ui = {
  notice: byId('push-notice'),
  status: byId('push-status'),
  retry: /** @type {HTMLButtonElement} */ (byId('push-retry')),
  requests: byId('push-requests'),
  list: byId('push-request-list'),
  device: byId('push-device'),
  userId: byId('push-user-id'),
  deviceId: byId('push-device-id'),
  notify: byId('push-notify'),
  notifyState: byId('push-notify-state'),
  notifications: /** @type {HTMLButtonElement} */ (byId('push-notifications')),
  testPush: /** @type {HTMLButtonElement} */ (byId('push-test')),
  install: /** @type {HTMLButtonElement} */ (byId('push-install')),
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
export function text(key, vars = {}) {
  return (messages[key] ?? key).replace(/\{(\w+)\}/g, (whole, name) =>
    name in vars ? String(vars[name]) : whole,
  );
}

/**
 * @param {HTMLElement} element
 * @param {string} message
 * @param {'info' | 'error' | ''} tone
 */
export function show(element, message, tone = '') {
  element.textContent = message;
  element.classList.toggle('info', tone === 'info');
  element.classList.toggle('error', tone === 'error');
  element.hidden = message === '';
}

export const setStatus = (
  /** @type {string} */ key,
  vars = {},
  tone = /** @type {'info'|'error'|''} */ (''),
) => show(ui.status, text(key, vars), tone);
export const setNotice = (/** @type {string} */ key, tone = /** @type {'info'|'error'|''} */ ('info')) =>
  show(ui.notice, key ? text(key) : '', tone);
