/**
 * The syntax tree of HCL expressions and templates. Every node knows where it starts and ends
 * in the parsed text, so errors can point at it and runtime interpolations can be kept verbatim.
 *
 * @module
 */
import type { Value } from "./_hcl_types.ts";

/** The source range of a node: offsets in the parsed text, `end` exclusive. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** One step of a traversal: `.name`, `[0]`, `["key"]` or the legacy `.0`. */
export type TraversalStep =
  & Span
  & ({ readonly kind: "attr"; readonly name: string } | {
    readonly kind: "index";
    readonly key: Value;
  });

/** A part of a template, after strip markers were applied. */
export type TemplatePart =
  | (Span & { readonly kind: "literal"; readonly text: string })
  | (Span & { readonly kind: "interp"; readonly expr: Expr })
  | (Span & {
    readonly kind: "if";
    readonly cond: Expr;
    readonly then: readonly TemplatePart[];
    readonly else: readonly TemplatePart[];
  })
  | (Span & {
    readonly kind: "for";
    readonly keyVar: string | null;
    readonly valueVar: string;
    readonly collection: Expr;
    readonly body: readonly TemplatePart[];
  });

/** An HCL expression. */
export type Expr =
  & Span
  & (
    | { readonly type: "literal"; readonly value: Value }
    | { readonly type: "template"; readonly parts: readonly TemplatePart[] }
    /** A template that is exactly one interpolation: its value is not converted to a string. */
    | { readonly type: "wrap"; readonly expr: Expr }
    | {
      readonly type: "traversal";
      readonly root: string;
      readonly steps: readonly TraversalStep[];
    }
    | {
      readonly type: "getattr";
      readonly target: Expr;
      readonly name: string;
      readonly at: number;
    }
    | { readonly type: "index"; readonly target: Expr; readonly key: Expr; readonly at: number }
    /** `source[*].each` or `source.*.each`; `each` is built on a `splatitem`. */
    | { readonly type: "splat"; readonly source: Expr; readonly each: Expr }
    | { readonly type: "splatitem" }
    | {
      readonly type: "call";
      readonly name: string;
      readonly args: readonly Expr[];
      /** The last argument is followed by `...`. */
      readonly expand: boolean;
    }
    | { readonly type: "tuple"; readonly items: readonly Expr[] }
    | { readonly type: "object"; readonly items: readonly ObjectItem[] }
    | {
      readonly type: "for";
      readonly keyVar: string | null;
      readonly valueVar: string;
      readonly collection: Expr;
      /** Present for `{for ...}`. */
      readonly keyExpr: Expr | null;
      readonly valueExpr: Expr;
      readonly cond: Expr | null;
      /** `...` after the value: group values by key. */
      readonly group: boolean;
    }
    | { readonly type: "unary"; readonly op: "!" | "-"; readonly operand: Expr }
    | { readonly type: "binary"; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
    | {
      readonly type: "conditional";
      readonly cond: Expr;
      readonly ifTrue: Expr;
      readonly ifFalse: Expr;
    }
    | { readonly type: "paren"; readonly expr: Expr }
  );

/** A binary operator. */
export type BinaryOp =
  | "||"
  | "&&"
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "+"
  | "-"
  | "*"
  | "/"
  | "%";

/** One `key = value` of an object constructor; an identifier key is a literal string. */
export interface ObjectItem {
  readonly key: Expr;
  readonly value: Expr;
}
