/**
 * Type expressions (`list(string)`, `object({a = optional(number)})`) read from the syntax tree,
 * with the messages of HCL's `typeexpr` package.
 *
 * @module
 */
import type { Expr } from "./_expr_ast.ts";
import { ExprError } from "./_expr_error.ts";
import type { HclType } from "./_hcl_types.ts";

const SUMMARY = "Invalid type specification";
const PRIMITIVES = new Set(["bool", "string", "number"]);
const COLLECTION_DETAIL = (k: string) =>
  `The ${k} type constructor requires one argument specifying the element type.`;
const OBJECT_DETAIL =
  "The object type constructor requires one argument specifying the attribute types and values as a map.";
const TUPLE_DETAIL =
  "The tuple type constructor requires one argument specifying the element types as a list.";

function keyword(e: Expr): string | null {
  return e.type === "traversal" && e.steps.length === 0 ? e.root : null;
}

function bad(at: number, detail: string): ExprError {
  return new ExprError(at, SUMMARY, detail);
}

/**
 * The type an expression denotes. With `exact`, `any` and `optional(...)` are refused, as in
 * Nomad's `variable` blocks (HCL's `typeexpr.Type`); otherwise they are allowed (a type
 * constraint, as `convert()` takes).
 *
 * @throws {ExprError} `Invalid type specification` with HCL's detail.
 */
export function typeFromExpr(e: Expr, exact = false): HclType {
  const kw = keyword(e);
  if (kw !== null) {
    if (PRIMITIVES.has(kw)) return { kind: kw as "string" };
    if (kw === "any") {
      if (!exact) return { kind: "any" };
      throw bad(
        e.start,
        `The keyword "any" cannot be used in this type specification: an exact type is required.`,
      );
    }
    if (kw === "list" || kw === "map" || kw === "set") throw bad(e.start, COLLECTION_DETAIL(kw));
    if (kw === "object") throw bad(e.start, OBJECT_DETAIL);
    if (kw === "tuple") throw bad(e.start, TUPLE_DETAIL);
    throw bad(e.start, `The keyword ${JSON.stringify(kw)} is not a valid type specification.`);
  }
  if (e.type !== "call") {
    throw bad(
      e.start,
      "A type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string).",
    );
  }
  const name = e.name;
  if (PRIMITIVES.has(name)) {
    throw bad(e.start, `Primitive type keyword ${JSON.stringify(name)} does not expect arguments.`);
  }
  if (name === "any") {
    throw bad(e.start, `Type constraint keyword "any" does not expect arguments.`);
  }
  const args = e.args;
  const one = args[0];
  if (["list", "set", "map", "object", "tuple"].includes(name) && (args.length !== 1 || !one)) {
    const at = args[1]?.start ?? e.start;
    throw bad(
      at,
      name === "object" ? OBJECT_DETAIL : name === "tuple" ? TUPLE_DETAIL : COLLECTION_DETAIL(name),
    );
  }
  switch (name) {
    case "list":
    case "set":
    case "map":
      return { kind: name, element: typeFromExpr(one!, exact) };
    case "tuple":
      if (one!.type !== "tuple") {
        throw bad(one!.start, "Tuple type constructor requires a list of element types.");
      }
      return { kind: "tuple", elements: one!.items.map((x) => typeFromExpr(x, exact)) };
    case "object":
      return objectType(one!, exact);
    case "optional":
      throw bad(
        e.start,
        `Keyword "optional" is valid only as a modifier for object type attributes.`,
      );
  }
  throw bad(e.start, `Keyword ${JSON.stringify(name)} is not a valid type constructor.`);
}

function objectType(arg: Expr, exact: boolean): HclType {
  if (arg.type !== "object") {
    throw bad(
      arg.start,
      "Object type constructor requires a map whose keys are attribute names and whose values are the corresponding attribute types.",
    );
  }
  const attributes: Record<string, HclType> = {};
  const optional: string[] = [];
  for (const item of arg.items) {
    const key = item.key;
    if (key.type !== "literal" || typeof key.value !== "string") {
      throw bad(key.start, "Object constructor map keys must be attribute names.");
    }
    let t = item.value;
    if (t.type === "call" && t.name === "optional") {
      if (exact) {
        throw bad(
          t.start,
          "Optional attribute modifier is only for type constraints, not for exact types.",
        );
      }
      if (t.args.length < 1) {
        throw bad(
          t.start,
          "Optional attribute modifier requires the attribute type as its argument.",
        );
      }
      if (t.args.length > 1) {
        throw bad(
          t.args[1]!.start,
          "Optional attribute modifier expects only one argument: the attribute type.",
        );
      }
      optional.push(key.value);
      t = t.args[0]!;
    }
    attributes[key.value] = typeFromExpr(t, exact);
  }
  return { kind: "object", attributes, optional };
}
