/**
 * Pagination of list endpoints, as Nomad's state paginator: skip to `?next_token`, keep what
 * passes `?filter` and the endpoint's own selector, stop after `?per_page` objects, and hand
 * back the token of the first object of the next page (`X-Nomad-NextToken`), or `""` when
 * this page is the last.
 *
 * @module
 */

import { BexprError, type Filter } from "./bexpr.ts";
import { CodedError } from "./errors.ts";
import type { QueryOptions } from "./query.ts";

/**
 * Gives an object's token and how it compares with the `?next_token` being looked for
 * (negative: the object comes before it in ascending order).
 */
export type Tokenizer<T> = (item: T, target: string) => readonly [token: string, cmp: number];

function compare(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Tokens are the object's ID (Nomad's `IDTokenizer`). */
export function idTokenizer<T extends { readonly ID: string | null }>(): Tokenizer<T> {
  return (item, target) => {
    const token = item.ID ?? "";
    return [token, compare(token, target)];
  };
}

/** Tokens are `namespace.ID` (Nomad's `NamespaceIDTokenizer`), for namespaced objects. */
export function namespaceIdTokenizer<
  T extends { readonly ID: string | null; readonly Namespace: string | null },
>(): Tokenizer<T> {
  return (item, target) => {
    const token = `${item.Namespace ?? ""}.${item.ID ?? ""}`;
    return [token, compare(token, target)];
  };
}

/**
 * Tokens are `CreateIndex.ID` (Nomad's `CreateIndexAndIDTokenizer`), for lists ordered by
 * creation; the index part compares as a number.
 */
export function createIndexIdTokenizer<
  T extends { readonly ID: string | null; readonly CreateIndex: number | null },
>(): Tokenizer<T> {
  return (item, target) => {
    const id = item.ID ?? "";
    const created = item.CreateIndex ?? 0;
    const token = `${created}.${id}`;
    const dot = target.indexOf(".");
    const index = dot > 0 && /^[+-]?\d+$/.test(target.slice(0, dot))
      ? Number(target.slice(0, dot))
      : NaN;
    if (Number.isNaN(index)) return [token, compare(token, target)];
    const byIndex = compare(created, index);
    return [token, byIndex !== 0 ? byIndex : compare(id, target.slice(dot + 1))];
  };
}

/** Tokens are `ModifyIndex` (Nomad's `ModifyIndexTokenizer`), compared as numbers. */
export function modifyIndexTokenizer<
  T extends { readonly ModifyIndex: number | null },
>(): Tokenizer<T> {
  return (item, target) => {
    const index = /^\d+$/.test(target) ? Number(target) : 0;
    const modified = item.ModifyIndex ?? 0;
    return [String(modified), compare(modified, index)];
  };
}

/** How to page a list. */
export interface PaginateOptions<T, S> {
  /** The token of each object, in the order `items` is sorted. */
  readonly tokenizer: Tokenizer<T>;
  /** The endpoint's own test (namespace, ACL, prefix), applied after the filter. */
  readonly select?: (item: T) => boolean;
  /** What to list for each object (a stub); the filter always sees the whole object. */
  readonly stub?: (item: T) => S;
}

/** One page and the token of the next, `""` when there is none. */
export interface Page<S> {
  readonly items: S[];
  readonly nextToken: string;
}

/**
 * Pages `items` (sorted ascending by token; `?reverse` walks them backwards).
 *
 * @param items The objects, sorted by the tokenizer's order.
 * @param query `perPage`, `nextToken`, `reverse` and `filter` from {@link parseQueryOptions}.
 * @throws {CodedError} 400 `failed to read result page: ...` when the filter cannot be
 * evaluated against an object (it names a field the objects lack).
 *
 * @example
 * ```ts
 * const { items, nextToken } = paginate(jobs, q, { tokenizer: namespaceIdTokenizer() });
 * setNextToken(c, nextToken);
 * ```
 */
export function paginate<T, S = T>(
  items: readonly T[],
  query: Pick<QueryOptions, "perPage" | "nextToken" | "reverse" | "filter">,
  options: PaginateOptions<T, S>,
): Page<S> {
  const { tokenizer, select } = options;
  const stub = options.stub ?? ((item: T) => item as unknown as S);
  const filter: Filter | null = query.filter;
  const out: S[] = [];
  let found = query.nextToken === "";
  const n = items.length;
  for (let k = 0; k < n; k++) {
    const item = items[query.reverse ? n - 1 - k : k]!;
    const [token, cmp] = tokenizer(item, query.nextToken);
    if (!found && (query.reverse ? cmp === 1 : cmp === -1)) continue;
    if (filter !== null) {
      let keep: boolean;
      try {
        keep = filter.matches(item);
      } catch (e) {
        if (!(e instanceof BexprError)) throw e;
        throw new CodedError(400, `failed to read result page: ${e.message}`, { cause: e });
      }
      if (!keep) continue;
    }
    if (select !== undefined && !select(item)) continue;
    found = true;
    if (query.perPage > 0 && out.length >= query.perPage) return { items: out, nextToken: token };
    out.push(stub(item));
  }
  return { items: out, nextToken: "" };
}
