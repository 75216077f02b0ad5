// DOM helpers. Text goes in through textContent/text nodes only: data is never parsed as HTML.

/**
 * Creates an element. attrs: class, text, dataset {k: v}, on {event: fn}, hidden, disabled, value,
 * checked, and any other attribute (set with setAttribute; never "style", which the CSP forbids).
 * Children: nodes, strings (text nodes), null/false (skipped) or arrays of those.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      switch (key) {
        case 'class': el.className = value; break;
        case 'text': el.textContent = String(value); break;
        case 'dataset': for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) el.dataset[k] = String(v); break;
        case 'on': for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn); break;
        case 'value': el.value = value; break;
        case 'checked': el.checked = Boolean(value); break;
        case 'hidden': el.hidden = Boolean(value); break;
        case 'disabled': el.disabled = Boolean(value); break;
        case 'style': throw new Error('inline styles are not allowed (CSP); use a class');
        default: el.setAttribute(key, value === true ? '' : String(value));
      }
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces every child of el. */
export function replaceChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Sets textContent only when it changed (cheap in-place patches). */
export function setText(el, value) {
  const text = value === null || value === undefined ? '' : String(value);
  if (el.textContent !== text) el.textContent = text;
}

/** A short-lived message in the corner (errors of actions that have no form). */
export function toast(message, kind = 'info') {
  const box = document.getElementById('toasts');
  if (!box) return;
  const item = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status', text: message });
  box.appendChild(item);
  setTimeout(() => item.remove(), kind === 'error' ? 8000 : 4000);
}

/** A labelled form field: label, control, hint and the error element data-error-for=field. */
export function field(label, control, { name, hint, wide } = {}) {
  return h('div', { class: wide ? 'field field-wide' : 'field' },
    h('label', { for: control.id, text: label }),
    control,
    hint ? h('small', { class: 'hint', text: hint }) : null,
    h('div', { class: 'field-error', dataset: { errorFor: name }, role: 'alert' }));
}

/** Shows ProblemDetails `errors` next to their fields (data-error-for); returns the messages no field took. */
export function showFieldErrors(form, errors) {
  clearFieldErrors(form);
  const unplaced = [];
  for (const [name, messages] of Object.entries(errors || {})) {
    const target = form.querySelector(`[data-error-for="${cssEscape(name)}"]`);
    const text = (Array.isArray(messages) ? messages : [messages]).join(' ');
    if (target && !target.closest('[hidden]')) {
      target.textContent = text;
      const control = target.parentElement?.querySelector('input, select, textarea');
      control?.setAttribute('aria-invalid', 'true');
    } else {
      unplaced.push(name && name !== 'body' ? `${name}: ${text}` : text);
    }
  }
  return unplaced;
}

/**
 * A failed form request: its field errors next to the fields, the rest (or the message of an answer
 * without field errors, a 409 say) as lines in the form's error box.
 */
export function showFormProblem(form, box, error, errors = error.errors) {
  const unplaced = showFieldErrors(form, errors);
  const messages = unplaced.length ? unplaced : Object.keys(errors ?? {}).length ? [] : [error.describe?.() ?? error.message];
  box.replaceChildren(...messages.map((m) => h('p', { text: m })));
  box.hidden = messages.length === 0;
}

export function clearFieldErrors(form) {
  for (const el of form.querySelectorAll('[data-error-for]')) el.textContent = '';
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

export function cssEscape(value) {
  return window.CSS && CSS.escape ? CSS.escape(value) : String(value).replace(/["\\]/g, '\\$&');
}

/** A button that asks for a second click before acting (no blocking confirm() dialogs). */
export function confirmButton(label, confirmLabel, action, attrs = {}) {
  let armed = false;
  let timer = 0;
  const button = h('button', { type: 'button', class: 'danger', ...attrs, text: label });
  button.addEventListener('click', async () => {
    if (!armed) {
      armed = true;
      button.textContent = confirmLabel;
      button.classList.add('armed');
      timer = setTimeout(() => { armed = false; button.textContent = label; button.classList.remove('armed'); }, 4000);
      return;
    }
    clearTimeout(timer);
    armed = false;
    // Disarmed before acting, so that a list re-rendered by the action (which skips rows with an
    // armed button) shows its outcome at once.
    button.classList.remove('armed');
    button.disabled = true;
    try {
      await action();
    } finally {
      button.disabled = false;
      button.textContent = label;
      button.classList.remove('armed');
    }
  });
  return button;
}
