// Activation: a `#activate=<code>` link turns this browser into a device. The key pair is made
// here, non-extractable; only the public key and a signature over the code leave the page.
import { browserLabel } from './browser-label.js';
import { activationBody, postActivation } from './device-api.js';
import { saveDevice } from './device-store.js';
import { PATTERNS, generateDeviceKey } from './protocol.js';
import { setNotice } from './ui.js';

/** @typedef {import('./device-store.js').Device} Device */

/** The activation code from `#activate=<code>`, removed from the address bar at once. */
export function takeActivationCode() {
  const match = /^#activate=(.*)$/.exec(location.hash);
  if (!match) return null;
  history.replaceState(null, '', `${location.pathname}${location.search}`);
  return match[1] ?? '';
}

/**
 * @param {string} code
 * @returns {Promise<Device | null>}
 */
export async function activate(code) {
  if (!PATTERNS.code.test(code)) return (setNotice('badLink', 'error'), null);
  setNotice('activating', '');
  // The device's default name, as the gateway would label this browser's logins.
  const name = browserLabel(navigator.userAgent).slice(0, 64);
  const keys = await generateDeviceKey(false);
  const body = await activationBody(code, name, keys);
  let response;
  try {
    response = await postActivation(body);
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
