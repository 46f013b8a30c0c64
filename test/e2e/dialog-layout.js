'use strict';
// Runs in the editor (page.evaluate): what a person would see wrong in the open edit dialog, as text lines.
// Each check compares what the browser drew with what the same browser, with the same fonts, needs to draw the
// text whole, so it holds whichever fonts the machine has (no pixel gap that only some fonts leave):
// - a label whose words wrap onto a second line, or run into the field it labels (their boxes overlap);
// - a select narrower than it needs to show its longest option (the browser's own width for the select, with
//   `width: auto`, is what the text and the arrow need);
// - a placeholder longer than its field shows (measured with the field's own font, inside its padding);
// - any other text clipped by its box (scrollWidth past clientWidth in an element that hides its overflow).
// Only what is visible counts: hidden groups are checked when the test shows them. Half a pixel of sub-pixel
// rounding is allowed; nothing more.
function dialogLayoutProblems(rootSelector) {
  const tolerance = 0.5;
  const root = document.querySelector(rootSelector);
  if (!root) return [`no ${rootSelector}`];
  const problems = [];
  const visible = (el) => el && el.offsetParent !== null && el.getClientRects().length > 0;
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d');
  const textWidth = (text, style) => {
    ctx.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    return ctx.measureText(text).width;
  };
  for (const label of root.querySelectorAll('.form-row label')) {
    if (!visible(label)) continue;
    const name = (label.innerText || '').trim() || label.getAttribute('for') || '(label)';
    // The label's words (and icon), not its box: Node-RED's label boxes end where the field starts by design.
    const range = document.createRange();
    range.selectNodeContents(label);
    // The lines its words sit on: the tops of the text's boxes, those less than half a letter apart on one line.
    const tops = [];
    const half = parseFloat(getComputedStyle(label).fontSize) / 2;
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      if (!t.textContent.trim()) continue;
      const words = document.createRange();
      words.selectNodeContents(t);
      for (const r of words.getClientRects()) if (r.width > 0 && !tops.some((top) => Math.abs(top - r.top) < half)) tops.push(r.top);
    }
    if (tops.length > 1) problems.push(`label "${name}" wraps onto ${tops.length} lines`);
    const id = label.getAttribute('for');
    let field = id ? document.getElementById(id) : null;
    if (field && !visible(field)) {
      // Node-RED replaces some inputs with a widget (a config node select, a typedInput) next to the hidden input.
      field = field.parentElement.querySelector('select:not([style*="display: none"]), .red-ui-typedInput-container');
    }
    if (!field || !visible(field) || field.type === 'checkbox') continue;
    const text = range.getBoundingClientRect();
    const f = field.getBoundingClientRect();
    const sameLine = text.top < f.bottom && f.top < text.bottom;
    if (sameLine && text.left < f.left && text.right > f.left + tolerance) {
      problems.push(`label "${name}" runs ${Math.ceil(text.right - f.left)} px into its field`);
    }
  }
  for (const select of root.querySelectorAll('select')) {
    if (!visible(select) || select.options.length === 0) continue;
    const probe = select.cloneNode(true);
    probe.removeAttribute('id');
    probe.style.width = 'auto';
    probe.style.minWidth = '0';
    probe.style.maxWidth = 'none';
    probe.style.position = 'absolute';
    probe.style.visibility = 'hidden';
    select.parentElement.appendChild(probe);
    const need = probe.getBoundingClientRect().width;
    probe.remove();
    const has = select.getBoundingClientRect().width;
    if (need > has + tolerance) {
      const longest = [...select.options].map((o) => o.textContent).sort((a, b) => b.length - a.length)[0];
      problems.push(`the options of ${select.id || 'a select'} are cut off: "${longest}" needs ${Math.ceil(need)} px, the select is ${Math.floor(has)}`);
    }
  }
  for (const input of root.querySelectorAll('input[placeholder], textarea[placeholder]')) {
    if (!visible(input) || !input.placeholder || input.value) continue;
    const style = getComputedStyle(input);
    const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const need = textWidth(input.placeholder, style);
    if (need > room + tolerance) problems.push(`the placeholder of ${input.id} is cut off: "${input.placeholder}" needs ${Math.ceil(need)} px, the field shows ${Math.floor(room)}`);
  }
  for (const el of root.querySelectorAll('.form-row *, .form-tips')) {
    // Elements that hold words themselves (not only through their children).
    const words = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    if (!visible(el) || !words || ['TEXTAREA', 'SELECT', 'OPTION'].includes(el.tagName)) continue;
    const style = getComputedStyle(el);
    const clips = style.overflowX !== 'visible' || style.textOverflow === 'ellipsis';
    if (clips && el.scrollWidth > el.clientWidth) {
      problems.push(`text cut off in ${el.id || el.className || el.tagName}: "${el.textContent.trim().slice(0, 60)}"`);
    }
  }
  return problems;
}

module.exports = { dialogLayoutProblems };
