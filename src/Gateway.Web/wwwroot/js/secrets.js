// Secrets the gateway shows once (tunnel access tokens, AWS secret keys): a box that holds them with
// copy buttons until the user hides it or leaves the page. Nothing here is kept anywhere else: no
// storage, no list row, no log; clear() drops the box's nodes and with them the only copy.

import { h, replaceChildren, toast } from './dom.js';

/** A button that copies text() to the clipboard; without clipboard access it selects `select` for Ctrl+C. */
export function copyButton(text, { label = 'Copy', select, attrs = {} } = {}) {
  const button = h('button', { type: 'button', class: 'small copy', ...attrs, text: label });
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text());
      button.textContent = 'Copied';
      setTimeout(() => { button.textContent = label; }, 2000);
    } catch {
      if (select) window.getSelection()?.selectAllChildren(select);
      toast('The browser refused the clipboard: the text is selected, press Ctrl+C.', 'error');
    }
  });
  return button;
}

/** One labelled secret line: the value as text in a <code data-secret=key> and its copy button. */
export function secretLine(label, key, value) {
  const code = h('code', { class: 'secret-value', dataset: { secret: key }, text: value });
  return h('div', { class: 'secret-line' },
    h('span', { class: 'secret-label', text: label }),
    code,
    copyButton(() => code.textContent, { select: code, attrs: { dataset: { copy: key } } }));
}

/** A multi-line block (a command, env lines) with a copy button; may hold secrets or not. */
export function copyBlock(key, text) {
  const pre = h('pre', { class: 'copy-block', dataset: { block: key }, text });
  return h('div', { class: 'copy-block-wrap' }, pre, copyButton(() => pre.textContent, { select: pre, attrs: { dataset: { copy: key } } }));
}

/**
 * The box for a once-shown answer. show(title, ...children) fills it (with the notice that the
 * secrets are not shown again and a Hide button); clear() empties it.
 */
export function secretBox(id, notice) {
  const box = h('div', { id, class: 'secret-box', role: 'status', hidden: true });
  const clear = () => { box.replaceChildren(); box.hidden = true; };
  const show = (title, ...children) => {
    replaceChildren(box,
      h('div', { class: 'secret-head' },
        h('strong', { text: title }),
        h('button', { type: 'button', class: 'small', dataset: { hideSecrets: id }, text: 'I have copied them · hide', on: { click: clear } })),
      h('p', { class: 'notice secret-notice', dataset: { onceNotice: '' }, text: notice }),
      children);
    box.hidden = false;
  };
  return { el: box, show, clear };
}
