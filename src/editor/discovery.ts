/**
 * Endpoint discovery in the invoke and bidi nodes' edit dialogs (issue 21): Endpoint offers the endpoints of the
 * config node chosen in the dialog (as it stands there, deployed or not), Variant and Component the chosen
 * endpoint's production variants and inference components, with Node-RED's own completion widget (`autoComplete`,
 * as core's typedInput uses it: the fields stay free text). A line under Endpoint sums the endpoint up and says which
 * mode can call it, or why nothing could be offered. Nothing here blocks saving or deploying.
 * Bundled into window.SageMakerRuntime.discovery (src/editor/shared.ts). What the dialog asked and was answered is
 * kept by discovery-asker.ts, the words are drawn by discovery-words.ts; this module builds the line and wires the fields.
 */
import { INVOKE_NODE_TYPE, MODULE_NAME } from '../shared/names';
import {
  askable,
  discoveryRequest,
  modeAdvice,
  offers,
  problemWords,
  say,
  sayAll,
  summaryWords,
  variantDetail,
  type Asker,
  type Match,
  type Translate,
  type Words,
} from './discovery-words';
import { DialogAsker } from './discovery-asker';
import { editor, type EditorRed, type JQ, type JQueryStatic, type Offer } from './editor-globals';

/** What an open dialog's discovery offers to close: its timers, and its fetches' answers ignored from then on. */
export interface Discovery {
  close(): void;
}

/** The words of the `discovery` section of the invoke node's locale file, which both dialogs read. */
function translator(RED: EditorRed): Translate {
  return (key, params) => RED._(`${MODULE_NAME}/${INVOKE_NODE_TYPE}:${INVOKE_NODE_TYPE}.discovery.${key}`, params);
}

/** What discovery adds to the dialog: a refresh button beside Endpoint, and under it a row for the summary, the mode advice and what went wrong. */
interface Line {
  refresh: JQ;
  row: JQ;
  summary: JQ;
  advice: JQ;
  problem: JQ;
}

function addLine($: JQueryStatic, endpointField: JQ, t: Translate): Line {
  const refresh = $('<button type="button" class="red-ui-button sagemaker-discovery-refresh"></button>')
    .attr('title', t('refresh'))
    .css({ 'margin-left': '4px' })
    .append($('<i class="fa fa-refresh"></i>'));
  endpointField.css({ width: 'calc(70% - 38px)' });
  refresh.insertAfter(endpointField);
  const row = $('<div class="form-row sagemaker-discovery-row"></div>').css({ 'margin-top': '-6px' });
  const box = $('<div class="sagemaker-discovery"></div>').css({ display: 'inline-block', width: '70%', 'vertical-align': 'top', 'font-size': '0.9em' });
  const summary = $('<div class="sagemaker-discovery-summary"></div>').css({ color: 'var(--red-ui-secondary-text-color)' });
  const advice = $('<div class="sagemaker-discovery-advice"></div>').css({ color: 'var(--red-ui-text-color-warning, var(--red-ui-text-color-error))' });
  const problem = $('<div class="sagemaker-discovery-problem"></div>').css({ color: 'var(--red-ui-text-color-error)' });
  box.append(summary, advice, problem);
  row.append($('<label></label>'), box).insertAfter(endpointField.closest('.form-row'));
  return { refresh, row, summary, advice, problem };
}

/** Shows what the asker knows on the line: the summary, the advice for the dialog's mode, and each problem once. */
function showLine(line: Line, asker: DialogAsker, advise: (d: NonNullable<DialogAsker['described']>) => Words | undefined, t: Translate): void {
  const described = asker.described;
  line.summary.text(described ? sayAll(summaryWords(described), t) : '').toggle(!!described);
  const tip = described ? advise(described) : undefined;
  line.advice.text(tip ? say(tip, t) : '').toggle(!!tip);
  const problems = [asker.listProblem, asker.describeProblem, ...(described ? described.problems.map(problemWords) : [])].filter((w): w is Words => !!w);
  const unique = [...new Set(problems.map((w) => say(w, t)))];
  line.problem.text(unique.join(' ')).toggle(unique.length > 0);
  line.row.toggle(!!described || !!tip || unique.length > 0);
}

/** An offer as core's completions draw one: the name with the typed part in bold, a detail on the right. */
function offer($: JQueryStatic, value: string, match: Match, detail: string): Offer {
  const label = $('<div></div>').css({ display: 'flex' });
  const name = $('<div class="red-ui-autoComplete-completion"></div>').appendTo(label);
  if (match.pre) name.append($('<span></span>').text(match.pre));
  if (match.match) name.append($('<span></span>').css({ 'font-weight': 'bold', color: 'var(--red-ui-text-color-link)' }).text(match.match));
  if (match.post) name.append($('<span></span>').text(match.post));
  if (detail) $('<div class="red-ui-autoComplete-env-label"></div>').text(detail).appendTo(label);
  return { value, label };
}

/** Node-RED's completion list on a field (when the field is in the dialog): the offers `search` finds for what is typed. */
function complete(field: JQ, search: (typed: string) => Promise<Offer[]> | undefined): void {
  if (!field.length || !field.autoComplete) return;
  field.autoComplete({
    minLength: 0,
    search(typed, done) {
      const found = search(typed);
      if (!found) done([]);
      else found.then(done, () => done([]));
    },
  });
}

/**
 * Attaches discovery to the open dialog of an invoke (`mode` from #node-input-mode) or a bidi node. Call from
 * oneditprepare; call close() from oneditsave and oneditcancel.
 */
export function attach(type: Asker['type']): Discovery {
  const { $, RED } = editor();
  const t = translator(RED);
  const configSelect = $('#node-input-config');
  const endpointField = $('#node-input-endpointName');
  const variantField = $('#node-input-targetVariant');
  const componentField = $('#node-input-inferenceComponentName');
  const modeSelect = $('#node-input-mode');
  const line = addLine($, endpointField, t);

  const advise = (d: NonNullable<DialogAsker['described']>): Words | undefined => modeAdvice(d, { type, mode: String(modeSelect.val() ?? '') });
  const show = (): void => {
    showLine(line, asker, advise, t);
    RED.tray?.resize();
  };
  const asker: DialogAsker = new DialogAsker({
    $,
    request(extra = {}) {
      const id = String(configSelect.val() ?? '');
      const node = id && id !== '_ADD_' ? RED.nodes.node(id) : undefined;
      return node ? discoveryRequest(node, extra) : undefined;
    },
    endpointName: () => String(endpointField.val() ?? '').trim(),
    changed: show,
  });

  complete(endpointField, (typed) => asker.list()?.then((l) => offers(l.endpoints, typed).map(({ item, match }) => offer($, item.name, match, item.status))));
  complete(variantField, (typed) => asker.description()?.then((d) => offers(d.variants, typed).map(({ item, match }) => {
    const detail = variantDetail(item);
    return offer($, item.name, match, detail ? say(detail, t) : '');
  })));
  complete(componentField, (typed) => asker.description()?.then((d) => offers(d.inferenceComponents, typed).map(({ item, match }) => offer($, item.name, match, item.status))));

  // Asked when the person turns to a field: Endpoint's list as it gets the focus, a description as its value changes.
  // Node-RED itself triggers `change` on every field once the dialog is built: that one asks nothing new.
  let touched = false;
  endpointField.on('focus.sagemaker-discovery', () => { touched = true; asker.list(); });
  endpointField.on('keyup.sagemaker-discovery input.sagemaker-discovery', () => { touched = true; asker.describeSoon(); });
  endpointField.on('change.sagemaker-discovery', () => { if (touched) asker.describe(); });
  for (const field of [variantField, componentField]) field.on('focus.sagemaker-discovery', () => { asker.description(); });
  modeSelect.on('change.sagemaker-discovery', show);
  // Node-RED's own `change` at the dialog's start (and a reselect of the same node) leaves the config node as it was.
  let configId = String(configSelect.val() ?? '');
  configSelect.on('change.sagemaker-discovery', () => {
    const now = String(configSelect.val() ?? '');
    if (now === configId) return;
    configId = now;
    asker.listProblem = undefined;
    if (!asker.engaged) return;
    asker.list();
    asker.describe();
  });
  line.refresh.on('click', (event) => {
    event.preventDefault();
    asker.listProblem = undefined;
    asker.list(true);
    asker.describe(true);
  });

  show();
  // A node opened with its endpoint already set says at once what that endpoint is now (say, Failed since it was
  // chosen): one description, which the runtime keeps a minute. Nothing else is asked until a field is used.
  if (askable(String(endpointField.val() ?? '').trim())) {
    touched = true;
    asker.describe();
  }
  return {
    close() {
      asker.close();
      for (const field of [endpointField, variantField, componentField, configSelect, modeSelect]) field.off('.sagemaker-discovery');
    },
  };
}
