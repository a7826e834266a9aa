// Asks before the console's destructive actions (forms with data-confirm). Without JavaScript the
// forms simply post: the console works either way.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const question = form.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
