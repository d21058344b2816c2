/**
 * The syntax tree of a go-bexpr filter expression, shared by the parser and the evaluator.
 *
 * `and`/`or` chains are flat (`operands`) rather than nested pairs, so a long chain never
 * nests deeply; `not not x` is folded to `x` by the parser, as go-bexpr does.
 *
 * @module
 */

/** How a selector was written: dotted (`Meta.env`, `Meta["env"]`) or as a JSON pointer. */
export type SelectorType = "bexpr" | "pointer";

/** A path into the datum, one part per field name, map key or list index. */
export interface Selector {
  readonly type: SelectorType;
  readonly path: readonly string[];
}

/** Every match operator; `contains`/`not contains` parse to `in`/`not in` as in go-bexpr. */
export type MatchOp =
  | "=="
  | "!="
  | "in"
  | "not in"
  | "is empty"
  | "is not empty"
  | "matches"
  | "not matches"
  | "is nil"
  | "is not nil";

/** A match expression such as `Status == running` or `"web" in Tags`. */
export interface MatchExpr {
  readonly kind: "match";
  readonly selector: Selector;
  readonly op: MatchOp;
  /** The value as written (quotes removed); `null` for `is empty` and the like. */
  readonly raw: string | null;
  /** The compiled pattern of `matches`/`not matches`. */
  readonly regexp?: RegExp;
  /** Offset of the expression in the source, for messages. */
  readonly offset: number;
}

/** `and`/`or` over two or more operands, evaluated left to right with short-circuit. */
export interface LogicalExpr {
  readonly kind: "and" | "or";
  readonly operands: readonly Expr[];
}

/** `not <operand>`. */
export interface NotExpr {
  readonly kind: "not";
  readonly operand: Expr;
}

/**
 * How `any`/`all` name the element: `v` (the value of a list item, the key of a map entry),
 * `k, v`, `k, _` or `_, v`.
 */
export interface Binding {
  readonly default?: string;
  readonly index?: string;
  readonly value?: string;
}

/** `any Selector as name { inner }` / `all ...`. */
export interface CollectionExpr {
  readonly kind: "collection";
  readonly op: "any" | "all";
  readonly selector: Selector;
  readonly binding: Binding;
  readonly inner: Expr;
}

/** Any node of the tree. */
export type Expr = MatchExpr | LogicalExpr | NotExpr | CollectionExpr;
