// The MFA step pages' timers (the OTP page, the push wait page), progressive enhancement only: the
// server already wrote every time on the page, and without this script the page still works.
//
// - `data-sekisho-countdown="<seconds>"`: counts down from the seconds the server computed (the
//   phone's, the server's and this computer's clocks need not agree), written with the page's own
//   words in `data-sekisho-format` ("あと {minutes}分{seconds}秒"); at zero it reads
//   `data-sekisho-over` when there is one.
// - `data-sekisho-enable-in="<seconds>"` on a button: disabled until then (the resend cooldown);
//   the note whose id is in `data-sekisho-note` goes when it is enabled.
const TICK_MS = 1000;

/** @param {HTMLElement} span */
function countDown(span) {
  const format = span.dataset.sekishoFormat ?? '{minutes}:{seconds}';
  const over = span.dataset.sekishoOver;
  const endsAt = Date.now() + Number(span.dataset.sekishoCountdown) * 1000;
  const show = () => {
    const left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    span.textContent =
      left === 0 && over
        ? over
        : format.replace('{minutes}', String(Math.floor(left / 60))).replace('{seconds}', String(left % 60));
    return left;
  };
  const timer = setInterval(() => {
    if (show() === 0) clearInterval(timer);
  }, TICK_MS);
}

/** @param {HTMLButtonElement} button */
function enableLater(button) {
  const seconds = Number(button.dataset.sekishoEnableIn);
  if (!(seconds > 0)) return;
  button.disabled = true;
  setTimeout(() => {
    button.disabled = false;
    const note = button.dataset.sekishoNote ? document.getElementById(button.dataset.sekishoNote) : null;
    note?.remove();
  }, seconds * 1000);
}

for (const element of document.querySelectorAll('[data-sekisho-countdown]')) {
  countDown(/** @type {HTMLElement} */ (element));
}
for (const element of document.querySelectorAll('button[data-sekisho-enable-in]')) {
  enableLater(/** @type {HTMLButtonElement} */ (element));
}
