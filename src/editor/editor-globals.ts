/**
 * Node-RED's editor globals as far as the dialogs' discovery uses them: its jQuery (with the `autoComplete` widget),
 * RED's words, nodes and tray, and a POST to an admin route as the editor makes its own calls. Types only, and the
 * two functions that reach the globals, so the modules that use them stay testable without a browser.
 */
import type { DiscoveryRequestJson } from '../shared/discovery';
import { failureWords, type EditorConfigNode, type Words } from './discovery-words';

/** The jQuery of Node-RED's editor, as far as this module uses it. */
export interface JQ {
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

export interface JQueryStatic {
  (selector: string, properties?: Record<string, string>): JQ;
  ajax(options: { url: string; method: string; contentType: string; data: string; dataType: string }): Deferred;
}

/** Node-RED's editor global, as far as this module uses it. */
export interface EditorRed {
  _(key: string, params?: Record<string, string | number>): string;
  nodes: { node(id: string): EditorConfigNode | null | undefined };
  tray?: { resize(): void };
}

/** One offer of Node-RED's autoComplete: the value it puts into the field, and the label it shows. */
export interface Offer {
  value: string;
  label: JQ;
}

export function editor(): { $: JQueryStatic; RED: EditorRed } {
  const g = globalThis as unknown as { $: JQueryStatic; RED: EditorRed };
  return { $: g.$, RED: g.RED };
}

/** POSTs a discovery request to an admin route; a failure is rejected as the words that say what went wrong. */
export function post<T>($: JQueryStatic, route: string, request: DiscoveryRequestJson): Promise<T> {
  return new Promise((resolve, reject) => {
    // A relative URL, as Node-RED's own editor calls its admin API: the editor adds its access token itself.
    $.ajax({ url: route, method: 'POST', contentType: 'application/json', data: JSON.stringify(request), dataType: 'json' })
      .done((data) => resolve(data as T))
      .fail((xhr) => reject(failureWords(xhr.status, xhr.responseJSON, xhr.statusText) satisfies Words));
  });
}
