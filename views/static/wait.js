// The wait page's poller (passwordless methods such as MAMORU): every form with
// `data-sekisho-poll="<status URL>"` is polled about once a second. When the answer is ready, its
// fields are put into the form and the form is posted, as the no-JavaScript button would post it.
// When the attempt is over (denied, wrong number, expired), everything marked `data-sekisho-live`
// (the number, the time, the buttons) goes, and one message with one way on takes its place.
const INTERVAL_MS = 1000;

/** @param {HTMLFormElement} form @param {Record<string, string>} fields */
function fillAndSubmit(form, fields) {
  for (const [name, value] of Object.entries(fields)) {
    let input = form.querySelector(`input[name="${CSS.escape(name)}"]`);
    if (!input) {
      input = document.createElement('input');
      input.type = 'hidden';
      input.name = name;
      form.append(input);
    }
    /** @type {HTMLInputElement} */ (input).value = value;
  }
  const end = document.querySelector('[data-sekisho-poll-end]');
  if (end instanceof HTMLElement && end.dataset.approved) {
    showOnly(end, 'info', 'status', end.dataset.approved);
  }
  form.submit();
}

/**
 * Replaces the live parts of the page by one message in `end`.
 * @param {HTMLElement} end @param {string} tone @param {string} role @param {string} message
 */
function showOnly(end, tone, role, message) {
  for (const live of document.querySelectorAll('[data-sekisho-live]')) {
    /** @type {HTMLElement} */ (live).hidden = true;
  }
  const text = document.createElement('p');
  text.className = tone;
  text.setAttribute('role', role);
  text.id = 'push-final';
  text.textContent = message;
  end.replaceChildren(text);
  end.hidden = false;
  return text;
}

/** @param {{message: string, href: string, label: string}} answer */
function showEnd(answer) {
  const end = document.querySelector('[data-sekisho-poll-end]');
  if (!(end instanceof HTMLElement)) return;
  showOnly(end, 'error', 'alert', answer.message);
  const link = document.createElement('a');
  link.href = answer.href;
  link.textContent = answer.label;
  link.className = 'button';
  link.id = 'push-next-step';
  const way = document.createElement('p');
  way.append(link);
  end.append(way);
  link.focus();
}

/** @param {HTMLFormElement} form */
async function poll(form) {
  const url = form.dataset.sekishoPoll;
  if (!url) return;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
    let answer;
    try {
      const response = await fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store' });
      answer = await response.json();
    } catch {
      continue; // A dropped connection or a restarting gateway: keep waiting.
    }
    if (answer.state === 'ready') return fillAndSubmit(form, answer.fields);
    if (answer.state === 'dead') return showEnd(answer);
    if (answer.state === 'go') return window.location.assign(answer.href);
    if (answer.state !== 'pending') return;
  }
}

for (const form of document.querySelectorAll('form[data-sekisho-poll]')) {
  void poll(/** @type {HTMLFormElement} */ (form));
}
