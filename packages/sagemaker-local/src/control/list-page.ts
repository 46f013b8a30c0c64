/**
 * The List operations' pure part: filter by name (case-insensitive substring), status and times, sort by name,
 * creation time or status, and cut one page with an opaque NextToken. A token carries the offset of the next page and
 * a fingerprint of the query it belongs to (operation, filters, sort), so a token that was not made by this server
 * for the same query is refused (a ValidationException naming NextToken), never misread.
 */

import { createHash } from 'crypto';
import { ControlError } from './control-error';

export const SORT_KEYS = ['Name', 'CreationTime', 'Status'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export const SORT_ORDERS = ['Ascending', 'Descending'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];
export const DEFAULT_MAX_RESULTS = 10;

/** What a listed item offers the filters and sorts. Times are ms since the epoch. */
export interface Listed {
  name: string;
  status: string;
  creationTime: number;
  lastModifiedTime: number;
}

/** The filters common to the List operations; times in ms since the epoch; After inclusive, Before exclusive. */
export interface ListFilters {
  nameContains?: string;
  statusEquals?: string;
  creationTimeBefore?: number;
  creationTimeAfter?: number;
  lastModifiedTimeBefore?: number;
  lastModifiedTimeAfter?: number;
}

export interface ListQuery extends ListFilters {
  sortBy?: SortKey;
  sortOrder?: SortOrder;
  maxResults?: number;
  nextToken?: string;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export function matches(item: Listed, f: ListFilters): boolean {
  if (f.nameContains !== undefined && !item.name.toLowerCase().includes(f.nameContains.toLowerCase())) return false;
  if (f.statusEquals !== undefined && item.status !== f.statusEquals) return false;
  if (f.creationTimeBefore !== undefined && !(item.creationTime < f.creationTimeBefore)) return false;
  if (f.creationTimeAfter !== undefined && !(item.creationTime >= f.creationTimeAfter)) return false;
  if (f.lastModifiedTimeBefore !== undefined && !(item.lastModifiedTime < f.lastModifiedTimeBefore)) return false;
  if (f.lastModifiedTimeAfter !== undefined && !(item.lastModifiedTime >= f.lastModifiedTimeAfter)) return false;
  return true;
}

/** Sorted by the key (default CreationTime), then by name, in the order (default Descending). */
export function sorted<T extends Listed>(items: readonly T[], sortBy: SortKey = 'CreationTime', sortOrder: SortOrder = 'Descending'): T[] {
  const byName = (a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const byKey = (a: T, b: T): number => {
    if (sortBy === 'CreationTime') return a.creationTime - b.creationTime;
    if (sortBy === 'Status') return a.status < b.status ? -1 : a.status > b.status ? 1 : 0;
    return 0;
  };
  const sign = sortOrder === 'Descending' ? -1 : 1;
  return [...items].sort((a, b) => sign * (byKey(a, b) || byName(a, b)));
}

/** A fingerprint of the query a token belongs to: the scope (the operation and its own filters) and the rest but paging. */
function fingerprint(scope: string, q: ListQuery): string {
  const { maxResults: _m, nextToken: _t, ...rest } = q;
  const canonical = JSON.stringify([scope, Object.entries(rest).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1))]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

export function encodeToken(scope: string, q: ListQuery, offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset, q: fingerprint(scope, q) })).toString('base64url');
}

/** The offset a token names, or a ValidationException when it is not this query's. */
export function decodeToken(scope: string, q: ListQuery, token: string): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const t = parsed as { o?: unknown; q?: unknown } | undefined;
  if (!t || typeof t !== 'object' || typeof t.o !== 'number' || !Number.isInteger(t.o) || t.o < 0 || t.q !== fingerprint(scope, q)) {
    throw new ControlError(
      'ValidationException',
      'The NextToken is not valid: pass the NextToken of the previous answer unchanged, with the same filters and sort order.',
    );
  }
  return t.o;
}

/** One page of the matching items, sorted, with the token of the next page when there is one. */
export function listPage<T extends Listed>(items: readonly T[], q: ListQuery, scope: string): Page<T> {
  const offset = q.nextToken === undefined ? 0 : decodeToken(scope, q, q.nextToken);
  const all = sorted(items.filter((i) => matches(i, q)), q.sortBy, q.sortOrder);
  const size = q.maxResults ?? DEFAULT_MAX_RESULTS;
  const page = all.slice(offset, offset + size);
  const next = offset + size;
  return next < all.length ? { items: page, nextToken: encodeToken(scope, q, next) } : { items: page };
}
