/**
 * Set functions of go-cty's stdlib (`setunion`, `setintersection`, `setproduct`) and
 * Terraform's `setsubtract`. Sets are arrays without duplicates in cty's order; the element
 * types of all the sets are unified first, so `setunion(["a"], [1])` is `["1", "a"]`.
 *
 * @module
 */
import { ArgError, FuncError, type FuncSpec, param } from "./_functions_api.ts";
import {
  convert,
  T,
  toSetOrder,
  typeOf,
  unifyTypes,
  type Value,
  valuesEqual,
} from "./_hcl_types.ts";

const SET = T.set(T.any);

/** Converts every set to their common element type. */
function unifySets(sets: Value[][]): Value[][] {
  const ety = unifyTypes(sets.flat().map(typeOf));
  if (!ety) throw new FuncError("given sets must all have compatible element types");
  return sets.map((s) => toSetOrder(s.map((x) => convert(x, ety))));
}

const has = (set: readonly Value[], x: Value) => set.some((y) => valuesEqual(x, y));

function setOp(combine: (first: Value[], others: Value[][]) => Value[]): FuncSpec {
  return {
    params: [param("first_set", SET)],
    varParam: param("other_sets", SET),
    impl: (args) => {
      const [first, ...others] = unifySets(args as Value[][]);
      return toSetOrder(combine(first!, others));
    },
  };
}

function product(args: Value[]): Value {
  if (args.length < 2) throw new FuncError("at least two arguments are required");
  const lists = args.map((a, i) => {
    if (!Array.isArray(a)) throw new ArgError(i, "a set or a list is required");
    const ety = unifyTypes(a.map(typeOf));
    if (!ety) throw new ArgError(i, "all elements must be of the same type");
    return a.map((x) => convert(x, ety));
  });
  let out: Value[][] = [[]];
  for (const list of lists) out = out.flatMap((prefix) => list.map((x) => [...prefix, x]));
  return out;
}

/** The set functions by name. */
export const SET_FUNCTIONS: ReadonlyMap<string, FuncSpec> = new Map<string, FuncSpec>([
  ["setunion", setOp((first, others) => [first, ...others].flat())],
  [
    "setintersection",
    setOp((first, others) => first.filter((x) => others.every((o) => has(o, x)))),
  ],
  ["setsubtract", {
    params: [param("a", SET), param("b", SET)],
    impl: (args) => {
      const [a, b] = unifySets(args as Value[][]);
      return a!.filter((x) => !has(b!, x));
    },
  }],
  ["setproduct", { params: [], varParam: param("sets"), impl: product }],
]);
