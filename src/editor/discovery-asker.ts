/**
 * What one open edit dialog has asked the account, and what it answered: the endpoint list of the config node as it
 * stands in the dialog (one fetch per config node while the dialog is open, narrowed in the browser as the user
 * types), and the description of the endpoint named in the field. The runtime keeps its answers a minute longer
 * (DISCOVERY_CACHE_SECONDS); a refresh asks the account again. Whenever what the dialog should show has changed, it
 * calls `changed`; after close() it calls nothing and its answers are ignored.
 */
import {
  DISCOVERY_ENDPOINTS_ROUTE,
  DISCOVERY_ENDPOINT_ROUTE,
  type DiscoveryRequestJson,
  type EndpointDescriptionJson,
  type EndpointListJson,
} from '../shared/discovery';
import { askable, requestKey, type Words } from './discovery-words';
import { post, type JQueryStatic } from './editor-globals';

/** While typing in Endpoint, the summary waits this long after the last key before asking about the name. */
const DESCRIBE_DELAY_MS = 400;

type Extra = { endpointName?: string; refresh?: boolean };

export interface AskerSources {
  $: JQueryStatic;
  /** the request for the config node chosen in the dialog, as it stands; none while no config node is chosen */
  request(extra?: Extra): DiscoveryRequestJson | undefined;
  /** the endpoint name in the field, trimmed */
  endpointName(): string;
  /** what the dialog shows has changed */
  changed(): void;
}

export class DialogAsker {
  /** why the list could not be had, while the config node it concerns is still the one chosen */
  listProblem: Words | undefined;
  /** the endpoint named in the field, described */
  described: EndpointDescriptionJson | undefined;
  /** why it could not be described */
  describeProblem: Words | undefined;
  /** whether the dialog has asked the account anything; until it has, a change of config node asks nothing */
  engaged = false;

  private closed = false;
  private readonly lists = new Map<string, Promise<EndpointListJson>>();
  private readonly descriptions = new Map<string, Promise<EndpointDescriptionJson>>();
  /** the number of the latest description asked for: only its answer is shown */
  private describing = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly from: AskerSources) {}

  /** Tells the dialog, unless it was closed meanwhile. */
  private changed(): void {
    if (!this.closed) this.from.changed();
  }

  /** The endpoint list of the config node chosen now; undefined while none is chosen. */
  list(refreshing = false): Promise<EndpointListJson> | undefined {
    const req = this.from.request({ refresh: refreshing });
    if (!req) return undefined;
    this.engaged = true;
    const key = requestKey(req);
    const known = this.lists.get(key);
    if (known && !refreshing) return known;
    const asked = post<EndpointListJson>(this.from.$, DISCOVERY_ENDPOINTS_ROUTE, req);
    this.lists.set(key, asked);
    // What went wrong shows while the config node it concerns is still the one chosen.
    const current = (): boolean => {
      const now = this.from.request();
      return this.lists.get(key) === asked && !!now && requestKey(now) === key;
    };
    asked.then(
      () => { if (current()) { this.listProblem = undefined; this.changed(); } },
      (words: Words) => { if (current()) { this.listProblem = words; this.changed(); } },
    );
    return asked;
  }

  /** Describes the endpoint named in the field (or forgets the summary when there is nothing to ask about). */
  describe(refreshing = false): Promise<EndpointDescriptionJson> | undefined {
    const name = this.from.endpointName();
    const req = askable(name) ? this.from.request({ endpointName: name, refresh: refreshing }) : undefined;
    const ask = ++this.describing;
    if (!req) {
      this.described = undefined;
      this.describeProblem = undefined;
      this.changed();
      return undefined;
    }
    this.engaged = true;
    const key = `${requestKey(req)}\n${name}`;
    let answer = this.descriptions.get(key);
    if (!answer || refreshing) {
      answer = post<EndpointDescriptionJson>(this.from.$, DISCOVERY_ENDPOINT_ROUTE, req);
      this.descriptions.set(key, answer);
      // A failed description is asked again next time, not kept: the name may be typed on.
      answer.catch(() => this.descriptions.delete(key));
    }
    answer.then(
      (d) => { if (ask === this.describing) { this.described = d; this.describeProblem = undefined; this.changed(); } },
      (words: Words) => { if (ask === this.describing) { this.described = undefined; this.describeProblem = words; this.changed(); } },
    );
    return answer;
  }

  /** The description of the endpoint in the field: the one shown when it is of that name, else asked. */
  description(): Promise<EndpointDescriptionJson> | undefined {
    return this.described && this.described.name === this.from.endpointName() ? Promise.resolve(this.described) : this.describe();
  }

  /**
   * While the user types: once the keys rest, describes the name when the account lists it (or when there is no
   * list to go by), else forgets the summary until the field is left (change), when whatever is typed is asked about.
   */
  describeSoon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const listing = this.closed ? undefined : this.list();
      if (!listing) return;
      const name = this.from.endpointName();
      const stillTyped = (): boolean => this.from.endpointName() === name;
      listing.then(
        (l) => {
          if (!stillTyped()) return;
          if (l.endpoints.some((e) => e.name === name)) this.describe();
          else this.forgetSummary();
        },
        () => { if (stillTyped()) this.describe(); },
      );
    }, DESCRIBE_DELAY_MS);
  }

  /** Forgets the summary (and its problem) without asking: nothing to say about what is being typed. */
  private forgetSummary(): void {
    this.describing++;
    this.described = undefined;
    this.describeProblem = undefined;
    this.changed();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
