/**
 * Endpoint discovery in the invoke and bidi nodes' edit dialogs (issue 21): Endpoint offers the endpoints of the
 * config node chosen in the dialog (as it stands there, deployed or not), Variant and Component the chosen
 * endpoint's production variants and inference components, with Node-RED's own completion widget (`autoComplete`,
 * as core's typedInput uses it: the fields stay free text). A line under Endpoint sums the endpoint up and says which
 * mode can call it, or why nothing could be offered. Nothing here blocks saving or deploying.
 * Bundled into window.SageMakerRuntime.discovery (src/editor/shared.ts); the words are drawn by discovery-words.ts.
 */
import {
  DISCOVERY_ENDPOINTS_ROUTE,
  DISCOVERY_ENDPOINT_ROUTE,
  type DiscoveryRequestJson,
  type EndpointDescriptionJson,
  type EndpointListJson,
} from '../shared/discovery';
import { INVOKE_NODE_TYPE, MODULE_NAME } from '../shared/names';
import {
  askable,
  discoveryRequest,
  failureWords,
  modeAdvice,
  offers,
  problemWords,
  requestKey,
  say,
  sayAll,
  summaryWords,
  variantDetail,
  type Asker,
  type EditorConfigNode,
  type Match,
  type Translate,
  type Words,
} from './discovery-words';

/** The jQuery of Node-RED's editor, as far as this module uses it. */
interface JQ {
  length: number;
  val(): unknown;
  val(value: string): JQ;
  on(events: string, handler: (event: { keyCode?: number; preventDefault(): void }) => void): JQ;
  off(events: string): JQ;
  text(text: string): JQ;
  attr(name: string, value: string): JQ;
  css(properties: Record<string, string>): JQ;
  append(...content: JQ[]): JQ;
  appendTo(target: JQ): JQ;
  insertAfter(target: JQ): JQ;
  closest(selector: string): JQ;
  find(selector: string): JQ;
  toggle(show: boolean): JQ;
  empty(): JQ;
  remove(): JQ;
  is(selector: string): boolean;
  autoComplete?(options: { search: (value: string, done: (offers: Offer[]) => void) => void; minLength: number }): JQ;
}
interface Xhr {
  status: number;
  statusText: string;
  responseJSON?: unknown;
}
interface Deferred {
  done(handler: (data: unknown) => void): Deferred;
  fail(handler: (xhr: Xhr) => void): Deferred;
}
interface JQueryStatic {
  (selector: string, properties?: Record<string, string>): JQ;
  ajax(options: { url: string; method: string; contentType: string; data: string; dataType: string }): Deferred;
}
/** Node-RED's editor global, as far as this module uses it. */
interface EditorRed {
  _(key: string, params?: Record<string, string | number>): string;
  nodes: { node(id: string): EditorConfigNode | null | undefined };
  tray?: { resize(): void };
}
/** One offer of Node-RED's autoComplete: the value it puts into the field, and the label it shows. */
interface Offer {
  value: string;
  label: JQ;
}

function editor(): { $: JQueryStatic; RED: EditorRed } {
  const g = globalThis as unknown as { $: JQueryStatic; RED: EditorRed };
  return { $: g.$, RED: g.RED };
}

/** The words of the `discovery` section of the invoke node's locale file, which both dialogs read. */
function translator(RED: EditorRed): Translate {
  return (key, params) => RED._(`${MODULE_NAME}/${INVOKE_NODE_TYPE}:${INVOKE_NODE_TYPE}.discovery.${key}`, params);
}

/** While typing in Endpoint, the summary waits this long after the last key before asking about the name. */
const DESCRIBE_DELAY_MS = 400;

function post<T>($: JQueryStatic, route: string, request: DiscoveryRequestJson): Promise<T> {
  return new Promise((resolve, reject) => {
    // A relative URL, as Node-RED's own editor calls its admin API: the editor adds its access token itself.
    $.ajax({ url: route, method: 'POST', contentType: 'application/json', data: JSON.stringify(request), dataType: 'json' })
      .done((data) => resolve(data as T))
      .fail((xhr) => reject(failureWords(xhr.status, xhr.responseJSON, xhr.statusText)));
  });
}

/** What an open dialog's discovery offers to close: its timers, and its fetches' answers ignored from then on. */
export interface Discovery {
  close(): void;
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
  let closed = false;

  // Under Endpoint: a refresh button beside the field, and a row for the summary and for what went wrong.
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

  // Within the dialog, one fetch per config node as it stands (and per endpoint for a description); the runtime
  // keeps the answers a minute longer (DISCOVERY_CACHE_SECONDS). A refresh asks the account again.
  const lists = new Map<string, Promise<EndpointListJson>>();
  const descriptions = new Map<string, Promise<EndpointDescriptionJson>>();
  let listProblem: Words | undefined;
  /**
   * Whether this dialog has asked the account anything: opening a dialog asks at most the description of the endpoint
   * it already names (no list, no call at all for a node without one); once asked, a change of config node asks again.
   */
  let engaged = false;
  let described: EndpointDescriptionJson | undefined;
  let describeProblem: Words | undefined;

  function show(): void {
    if (closed) return;
    summary.text(described ? sayAll(summaryWords(described), t) : '').toggle(!!described);
    const tip = described ? modeAdvice(described, { type, mode: String(modeSelect.val() ?? '') }) : undefined;
    advice.text(tip ? say(tip, t) : '').toggle(!!tip);
    const problems = [listProblem, describeProblem, ...(described ? described.problems.map(problemWords) : [])].filter((w): w is Words => !!w);
    const unique = [...new Set(problems.map((w) => say(w, t)))];
    problem.text(unique.join(' ')).toggle(unique.length > 0);
    row.toggle(!!described || !!tip || unique.length > 0);
    RED.tray?.resize();
  }

  /** The request for the config node chosen in the dialog, as it stands; none while no config node is chosen. */
  function request(extra: { endpointName?: string; refresh?: boolean } = {}): DiscoveryRequestJson | undefined {
    const id = String(configSelect.val() ?? '');
    const node = id && id !== '_ADD_' ? RED.nodes.node(id) : undefined;
    return node ? discoveryRequest(node, extra) : undefined;
  }

  function list(refreshing = false): Promise<EndpointListJson> | undefined {
    const req = request({ refresh: refreshing });
    if (!req) return undefined;
    engaged = true;
    const key = requestKey(req);
    let answer = lists.get(key);
    if (!answer || refreshing) {
      const asked = post<EndpointListJson>($, DISCOVERY_ENDPOINTS_ROUTE, req);
      answer = asked;
      lists.set(key, asked);
      // What went wrong shows while the config node that it concerns is still the one chosen.
      const current = (): boolean => {
        const now = request();
        return !closed && lists.get(key) === asked && !!now && requestKey(now) === key;
      };
      asked.then(
        () => { if (current()) { listProblem = undefined; show(); } },
        (words: Words) => { if (current()) { listProblem = words; show(); } },
      );
    }
    return answer;
  }

  let describing = 0;
  function describe(refreshing = false): Promise<EndpointDescriptionJson> | undefined {
    const name = String(endpointField.val() ?? '').trim();
    const req = askable(name) ? request({ endpointName: name, refresh: refreshing }) : undefined;
    const ask = ++describing;
    if (!req) {
      described = undefined;
      describeProblem = undefined;
      show();
      return undefined;
    }
    engaged = true;
    const key = `${requestKey(req)}\n${name}`;
    let answer = descriptions.get(key);
    if (!answer || refreshing) {
      answer = post<EndpointDescriptionJson>($, DISCOVERY_ENDPOINT_ROUTE, req);
      descriptions.set(key, answer);
      // A failed description is asked again next time, not kept: the name may be typed on.
      answer.catch(() => descriptions.delete(key));
    }
    answer.then(
      (d) => { if (ask === describing) { described = d; describeProblem = undefined; show(); } },
      (words: Words) => { if (ask === describing) { described = undefined; describeProblem = words; show(); } },
    );
    return answer;
  }

  /** Forgets the summary (and its problem) without asking: nothing to say about what is being typed. */
  function clearSummary(): void {
    describing++;
    described = undefined;
    describeProblem = undefined;
    show();
  }

  /**
   * While the user types: once the keys rest, describes the name when the account lists it (or when there is no
   * list to go by), else clears the line until the field is left (change), when whatever is typed is asked about.
   */
  let timer: ReturnType<typeof setTimeout> | undefined;
  function describeSoon(): void {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      const listing = closed ? undefined : list();
      if (!listing) return;
      const name = String(endpointField.val() ?? '').trim();
      listing.then(
        (l) => { if (String(endpointField.val() ?? '').trim() !== name) return; if (l.endpoints.some((e) => e.name === name)) describe(); else clearSummary(); },
        () => { if (String(endpointField.val() ?? '').trim() === name) describe(); },
      );
    }, DESCRIBE_DELAY_MS);
  }

  /** The chosen endpoint's description: the one shown when it is of the name in the field, else asked. */
  function description(): Promise<EndpointDescriptionJson> | undefined {
    return described && described.name === String(endpointField.val() ?? '').trim() ? Promise.resolve(described) : describe();
  }

  /** An offer as core's completions draw one: the name with the typed part in bold, a detail on the right. */
  function offer(value: string, match: Match, detail: string): Offer {
    const label = $('<div></div>').css({ display: 'flex' });
    const name = $('<div class="red-ui-autoComplete-completion"></div>').appendTo(label);
    if (match.pre) name.append($('<span></span>').text(match.pre));
    if (match.match) name.append($('<span></span>').css({ 'font-weight': 'bold', color: 'var(--red-ui-text-color-link)' }).text(match.match));
    if (match.post) name.append($('<span></span>').text(match.post));
    if (detail) $('<div class="red-ui-autoComplete-env-label"></div>').text(detail).appendTo(label);
    return { value, label };
  }

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

  complete(endpointField, (typed) => list()?.then((l) => offers(l.endpoints, typed).map(({ item, match }) => offer(item.name, match, item.status))));
  complete(variantField, (typed) => description()?.then((d) => offers(d.variants, typed).map(({ item, match }) => {
    const detail = variantDetail(item);
    return offer(item.name, match, detail ? say(detail, t) : '');
  })));
  complete(componentField, (typed) => description()?.then((d) => offers(d.inferenceComponents, typed).map(({ item, match }) => offer(item.name, match, item.status))));

  // Asked when the person turns to a field: Endpoint's list as it gets the focus, a description as its value changes.
  // Node-RED itself triggers `change` on every field once the dialog is built: that one asks nothing new.
  let touched = false;
  endpointField.on('focus.sagemaker-discovery', () => { touched = true; list(); });
  endpointField.on('keyup.sagemaker-discovery input.sagemaker-discovery', () => { touched = true; describeSoon(); });
  endpointField.on('change.sagemaker-discovery', () => { if (touched) describe(); });
  for (const field of [variantField, componentField]) field.on('focus.sagemaker-discovery', () => { description(); });
  modeSelect.on('change.sagemaker-discovery', show);
  // Node-RED's own `change` at the dialog's start (and a reselect of the same node) leaves the config node as it was.
  let configId = String(configSelect.val() ?? '');
  configSelect.on('change.sagemaker-discovery', () => {
    const now = String(configSelect.val() ?? '');
    if (now === configId) return;
    configId = now;
    listProblem = undefined;
    if (!engaged) return;
    list();
    describe();
  });
  refresh.on('click', (event) => {
    event.preventDefault();
    listProblem = undefined;
    list(true);
    describe(true);
  });

  show();
  // A node opened with its endpoint already set says at once what that endpoint is now (say, Failed since it was
  // chosen): one description, which the runtime keeps a minute. Nothing else is asked until a field is used.
  if (askable(String(endpointField.val() ?? '').trim())) {
    touched = true;
    describe();
  }
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const field of [endpointField, variantField, componentField, configSelect, modeSelect]) field.off('.sagemaker-discovery');
    },
  };
}
