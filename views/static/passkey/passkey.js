// Passkey ceremonies on the gateway's pages, through @simplewebauthn/browser (served from
// /_sekisho/static/vendor/). Every form with `data-passkey` runs one: `register` (add a passkey:
// the creation options are in `data-options`), `assert` (step-up: request options in
// `data-options`) or `discover` (ID-less login: fresh options from `data-options-url` on each
// try). The browser's answer goes into the hidden `response` field and the form is posted.
// `data-autostart` starts at once; `data-autofill` offers the passkeys in the username field's
// autofill (conditional UI) where the browser supports it.
/* global SimpleWebAuthnBrowser */
const webauthn = SimpleWebAuthnBrowser;
const status = document.getElementById('passkey-status');

/** @param {string} key @param {boolean} [isError] */
function say(key, isError = false) {
  if (!status) return;
  status.textContent = status.dataset[key] ?? '';
  status.classList.toggle('error', isError);
}

/** @param {HTMLFormElement} form */
async function optionsFor(form) {
  if (form.dataset.optionsUrl === undefined) return JSON.parse(form.dataset.options ?? '{}');
  const answer = await fetch(form.dataset.optionsUrl, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { accept: 'application/json' },
  });
  if (!answer.ok) throw new Error(`options: ${answer.status}`);
  return answer.json();
}

/** @param {HTMLFormElement} form @param {boolean} autofill */
async function run(form, autofill) {
  try {
    if (!autofill) say('working');
    const optionsJSON = await optionsFor(form);
    const response =
      form.dataset.passkey === 'register'
        ? await webauthn.startRegistration({ optionsJSON })
        : await webauthn.startAuthentication({ optionsJSON, useBrowserAutofill: autofill });
    /** @type {HTMLInputElement} */ (form.elements.namedItem('response')).value = JSON.stringify(response);
    form.submit();
  } catch (error) {
    // A conditional request is aborted whenever the button starts a modal one: not an error.
    if (autofill) return;
    const name = error instanceof Error ? error.name : '';
    say(name === 'NotAllowedError' || name === 'AbortError' ? 'cancelled' : 'failed', true);
  }
}

/** @param {HTMLFormElement} form */
function setUp(form) {
  const button = form.querySelector('[data-passkey-start]');
  if (!webauthn.browserSupportsWebAuthn()) {
    say('unsupported', true);
    if (button) /** @type {HTMLButtonElement} */ (button).disabled = true;
    return;
  }
  button?.addEventListener('click', () => void run(form, false));
  if (form.dataset.autostart === '1') void run(form, false);
  else if (form.dataset.autofill === '1' && document.querySelector('input[autocomplete~="webauthn"]'))
    void webauthn.browserSupportsWebAuthnAutofill().then((supported) => supported && run(form, true));
}

for (const form of document.querySelectorAll('form[data-passkey]'))
  setUp(/** @type {HTMLFormElement} */ (form));
