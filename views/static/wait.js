// The wait page's poller (passwordless methods such as MAMORU): every form with
// `data-sekisho-poll="<status URL>"` is polled about once a second. When the answer is
// ready, its fields are put into the form and the form is posted, as the no-JavaScript
// button would post it; when the attempt is over, the message and a way on are shown.
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
  form.submit();
}

/** @param {HTMLFormElement} form @param {{message: string, href: string, label: string}} answer */
function showEnd(form, answer) {
  const status = document.querySelector('[data-sekisho-poll-status]');
  if (!status) return;
  status.textContent = answer.message;
  status.classList.add('error');
  const link = document.createElement('a');
  link.href = answer.href;
  link.textContent = answer.label;
  link.className = 'button';
  status.after(link);
  for (const button of form.querySelectorAll('button')) button.disabled = true;
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
    if (answer.state === 'dead') return showEnd(form, answer);
    if (answer.state === 'go') return window.location.assign(answer.href);
    if (answer.state !== 'pending') return;
  }
}

for (const form of document.querySelectorAll('form[data-sekisho-poll]')) {
  void poll(/** @type {HTMLFormElement} */ (form));
}

// A countdown, counted from the seconds the server computed (the phone's and this computer's
// clocks need not agree): `data-sekisho-format` holds the page's own words, e.g. "{minutes} min {seconds} s".
for (const element of document.querySelectorAll('[data-sekisho-countdown]')) {
  const span = /** @type {HTMLElement} */ (element);
  const format = span.dataset.sekishoFormat ?? '{minutes}:{seconds}';
  const endsAt = Date.now() + Number(span.dataset.sekishoCountdown) * 1000;
  const timer = setInterval(() => {
    const left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    span.textContent = format
      .replace('{minutes}', String(Math.floor(left / 60)))
      .replace('{seconds}', String(left % 60));
    if (left === 0) clearInterval(timer);
  }, 1000);
}
