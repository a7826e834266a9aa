// The rule form's method picker: ticking boxes writes the methods field in the rule grammar (A,B
// or A|B), and typing there ticks the boxes it names. Without JavaScript the server reads the
// boxes and the field, and refuses them when they disagree: the form works either way.
for (const picker of document.querySelectorAll('fieldset.method-picker')) {
  const form = picker.closest('form');
  const field = form && form.querySelector(`#${picker.dataset.methodsFor}`);
  if (!field) continue;
  const boxes = [...picker.querySelectorAll('input[name=method]')];
  const combine = () => (form.querySelector('input[name=combine]:checked')?.value === 'any' ? '|' : ',');
  const write = () => {
    const picked = boxes.filter((box) => box.checked).map((box) => box.value);
    field.value = picked.join(combine());
  };
  const read = () => {
    const typed = field.value.replace(/\s+/g, '');
    const mixed = typed.includes(',') && typed.includes('|');
    const names = mixed || /bypass/i.test(typed) ? [] : typed.toUpperCase().split(/[,|]/);
    for (const box of boxes) box.checked = names.includes(box.value.toUpperCase());
    const any = form.querySelector('input[name=combine][value=any]');
    const all = form.querySelector('input[name=combine][value=all]');
    // A single name says nothing of all or any: the choice stays as it was.
    if (any && all && !mixed && /[,|]/.test(typed)) (typed.includes('|') ? any : all).checked = true;
  };
  picker.addEventListener('change', write);
  // The all/any choice rewrites the field only when boxes are ticked: BYPASS or a mix typed there stays.
  for (const radio of form.querySelectorAll('input[name=combine]'))
    radio.addEventListener('change', () => boxes.some((box) => box.checked) && write());
  field.addEventListener('input', read);
}
