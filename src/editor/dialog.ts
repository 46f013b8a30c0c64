/**
 * The pieces of an edit dialog that every node's editor HTML builds the same way: a request field's row, a select's
 * options from a list in names, writing generated rows into the dialog's template, and each property's label from
 * the locale file. Bundled with shared.ts into `window.SageMakerRuntime`, so each is written once for all dialogs.
 */
import { MODULE_NAME } from '../shared/names';

/** Node-RED's editor global, as far as these helpers use it. */
interface EditorRed {
  _(key: string): string;
}

/**
 * One request field's row: its icon, label and a text input whose placeholder names the msg property used when the
 * field is empty. Label and placeholder come from the node type's locale file.
 */
export function fieldRow(type: string, field: string, icon: string | undefined): string {
  return (
    '<div class="form-row">' +
    `<label for="node-input-${field}"><i class="fa ${icon || 'fa-pencil'}"></i> ` +
    `<span data-i18n="${type}.label.${field}"></span></label>` +
    `<input type="text" id="node-input-${field}" style="width:70%;" ` +
    `data-i18n="[placeholder]${type}.placeholder.${field}">` +
    '</div>'
  );
}

/** The options of a select whose choices are a list in names, each labelled from the locale file. */
export function options(type: string, property: string, choices: readonly string[]): string {
  return choices.map((choice) => `<option value="${choice}" data-i18n="${type}.${property}.${choice}"></option>`).join('');
}

/**
 * Writes generated rows into the node type's dialog template, each at its marker comment. Node-RED copies the
 * template into each edit dialog and fills every node-input-<property> before oneditprepare runs, so the rows must be
 * in the template already: call this once, when the editor HTML loads (the template is in the page by then).
 */
export function fillTemplate(type: string, parts: Record<string, string>): boolean {
  const doc = (globalThis as { document?: { querySelector(selector: string): { textContent: string | null } | null } }).document;
  const template = doc?.querySelector(`script[data-template-name="${type}"]`);
  if (!template) {
    console.warn(`${type}: edit dialog template not found, its generated rows are missing`);
    return false;
  }
  let text = template.textContent ?? '';
  for (const [marker, html] of Object.entries(parts)) text = text.replace(`<!-- ${marker} -->`, html);
  template.textContent = text;
  return true;
}

/**
 * Gives each property in a node's `defaults` its label from the locale file: Node-RED hands it to the validators,
 * whose messages then name the field in the node's "invalid properties" tooltip.
 */
export function labelDefaults(type: string, defaults: Record<string, { label?: string }>): void {
  const red = (globalThis as { RED?: EditorRed }).RED;
  for (const key of Object.keys(defaults)) {
    defaults[key].label = red ? red._(`${MODULE_NAME}/${type}:${type}.label.${key}`) : key;
  }
}

/** What Node-RED hands a node definition's label functions as `this`: the node, with its type's locale lookup. */
interface LabelledNode {
  name?: string;
  endpointName?: string;
  _(key: string): string;
}

/**
 * The label functions of a node that calls an endpoint: its palette label from the locale file, on the canvas its
 * name, else its endpoint's name, else the palette label, in italics when it has a name (as core's nodes do).
 */
export function endpointNodeLabels(type: string): {
  paletteLabel(this: LabelledNode): string;
  label(this: LabelledNode): string;
  labelStyle(this: LabelledNode): string;
} {
  return {
    paletteLabel() {
      return this._(`${type}.paletteLabel`);
    },
    label() {
      return this.name || this.endpointName || this._(`${type}.paletteLabel`);
    },
    labelStyle() {
      return this.name ? 'node_label_italic' : '';
    },
  };
}
