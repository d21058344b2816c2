/**
 * Resolving the short IDs users type, as Nomad's CLI does: a prefix query lists the candidates;
 * one candidate (or exactly one exact match among several) is the answer, several are shown to
 * the user. UUID prefixes are first cut to an even number of hex digits, which is what the
 * servers can search by.
 *
 * @module
 */

/** The outcome of a prefix lookup. */
export type PrefixMatch<T> =
  | { readonly kind: "none" }
  | { readonly kind: "one"; readonly match: T }
  | { readonly kind: "many"; readonly candidates: readonly T[] };

/**
 * Picks the object a prefix names from the list a prefix query returned: none, the only one,
 * the only exact match, or several candidates.
 *
 * @param objects What the prefix query returned.
 * @param prefix What the user typed.
 * @param idOf The ID an object is matched by.
 */
export function matchPrefix<T>(
  objects: readonly T[],
  prefix: string,
  idOf: (o: T) => string,
): PrefixMatch<T> {
  if (objects.length === 0) return { kind: "none" };
  if (objects.length === 1) return { kind: "one", match: objects[0]! };
  const exact = objects.filter((o) => idOf(o) === prefix);
  if (exact.length === 1) return { kind: "one", match: exact[0]! };
  return { kind: "many", candidates: objects };
}

/**
 * Cuts a UUID prefix to an even number of hex digits (hyphens not counted), as Nomad's
 * `sanitizeUUIDPrefix`: the servers search UUIDs byte by byte.
 *
 * @example
 * ```ts
 * sanitizeUUIDPrefix("abc"); // "ab"
 * sanitizeUUIDPrefix("abcd-1"); // "abcd-"
 * ```
 */
export function sanitizeUUIDPrefix(prefix: string): string {
  const digits = prefix.length - (prefix.match(/-/g)?.length ?? 0);
  return prefix.slice(0, prefix.length - (digits % 2));
}
