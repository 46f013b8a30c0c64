'use strict';
// Runs in the editor (page.evaluate): what a person would see wrong in the open edit dialog, as text lines.
// - a label that wraps onto a second line, or whose words come closer than 4 px to the field it labels;
// - a placeholder longer than its field shows (measured with the field's own font, inside its padding).
// Only what is visible counts: hidden groups are checked when the test shows them.
function dialogLayoutProblems(rootSelector) {
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
    const style = getComputedStyle(label);
    const lineHeight = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
    // A label holds one line: the icon and the words. More than one line's height means it wrapped.
    const lines = Math.round(label.getBoundingClientRect().height / lineHeight);
    if (lines > 1) problems.push(`label "${name}" wraps onto ${lines} lines`);
    const id = label.getAttribute('for');
    let field = id ? document.getElementById(id) : null;
    if (field && !visible(field)) {
      // Node-RED replaces some inputs with a widget (a config node select, a typedInput) next to the hidden input.
      field = field.parentElement.querySelector('select:not([style*="display: none"]), .red-ui-typedInput-container');
    }
    if (!field || !visible(field) || field.type === 'checkbox') continue;
    const l = label.getBoundingClientRect();
    const f = field.getBoundingClientRect();
    const sameLine = l.top < f.bottom && f.top < l.bottom;
    if (sameLine) {
      // The label's words (and icon), not its box: Node-RED's label boxes end where the field starts by design.
      const range = document.createRange();
      range.selectNodeContents(label);
      const text = range.getBoundingClientRect();
      if (text.right + 4 > f.left && text.left < f.left) problems.push(`label "${name}" touches its field (${Math.round(f.left - text.right)} px apart)`);
    }
  }
  for (const input of root.querySelectorAll('input[placeholder], textarea[placeholder]')) {
    if (!visible(input) || !input.placeholder || input.value) continue;
    const style = getComputedStyle(input);
    const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const need = textWidth(input.placeholder, style);
    if (need > room) problems.push(`the placeholder of ${input.id} is cut off: "${input.placeholder}" needs ${Math.ceil(need)} px, the field shows ${Math.floor(room)}`);
  }
  return problems;
}

module.exports = { dialogLayoutProblems };
