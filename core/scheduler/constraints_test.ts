import { assert, assertEquals } from "../../tests/assert.ts";
import {
  checkConstraint,
  checkOrder,
  constraintString,
  escapedConstraints,
  globMatch,
  meetsConstraint,
  resolveTarget,
} from "./constraints.ts";
import { mockNode } from "./feasible_testing.ts";

Deno.test("resolveTarget() reads node fields, attributes and meta", () => {
  const node = mockNode({ Datacenter: "dc9", NodeClass: "big", NodePool: "gpu" });
  assertEquals(resolveTarget("${node.unique.id}", node), node.ID);
  assertEquals(resolveTarget("${node.unique.name}", node), node.Name);
  assertEquals(resolveTarget("${node.datacenter}", node), "dc9");
  assertEquals(resolveTarget("${node.class}", node), "big");
  assertEquals(resolveTarget("${node.pool}", node), "gpu");
  assertEquals(resolveTarget("${attr.kernel.name}", node), "linux");
  assertEquals(resolveTarget("${meta.database}", node), "mysql");
  assertEquals(resolveTarget("${meta.missing}", node), undefined);
  assertEquals(resolveTarget("${node.bogus}", node), undefined);
  assertEquals(resolveTarget("literal", node), "literal");
});

Deno.test("constraintString() prints a constraint as Nomad's metrics key it", () => {
  const c = { LTarget: "${attr.kernel.name}", Operand: "=", RTarget: "windows" };
  assertEquals(constraintString(c), "${attr.kernel.name} = windows");
});

Deno.test("checkConstraint() equality operators need both targets", () => {
  for (const op of ["=", "==", "is"]) {
    assert(checkConstraint(op, "a", "a"), op);
    assert(!checkConstraint(op, "a", "b"), op);
    assert(!checkConstraint(op, undefined, undefined), op);
  }
});

Deno.test("checkConstraint() != and not compare missing targets as empty", () => {
  for (const op of ["!=", "not"]) {
    assert(checkConstraint(op, "a", "b"), op);
    assert(!checkConstraint(op, "a", "a"), op);
    assert(checkConstraint(op, undefined, "x"), op);
    assert(!checkConstraint(op, undefined, ""), op);
  }
});

Deno.test("checkConstraint() orders as integers, then floats, then text", () => {
  assert(checkConstraint("<", "9", "10"));
  assert(checkConstraint("<=", "10", "10"));
  assert(checkConstraint(">", "2.5", "2.25"));
  assert(checkConstraint(">=", "b", "a"));
  assert(!checkConstraint("<", "10", "9"));
  assert(checkOrder("<", "10", "9a"), "lexical when one side is not a number");
  assert(!checkConstraint("<", undefined, "1"));
});

Deno.test("checkConstraint() is_set and is_not_set look at the left target only", () => {
  assert(checkConstraint("is_set", "", undefined));
  assert(!checkConstraint("is_set", undefined, "x"));
  assert(checkConstraint("is_not_set", undefined, "x"));
  assert(!checkConstraint("is_not_set", "v", undefined));
});

Deno.test("checkConstraint() regexp matches anywhere and rejects bad patterns", () => {
  assert(checkConstraint("regexp", "linux-5.4", "^linux"));
  assert(!checkConstraint("regexp", "darwin", "^linux"));
  assert(!checkConstraint("regexp", "x", "("));
});

Deno.test("checkConstraint() version and semver use their own rules", () => {
  assert(checkConstraint("version", "1.10.2", ">= 1.9, < 2"));
  assert(!checkConstraint("version", "1.10.2-beta", ">= 1.9"));
  assert(checkConstraint("semver", "1.10.2-beta", ">= 1.9.0"));
  assert(!checkConstraint("version", "not-a-version", ">= 1"));
  assert(!checkConstraint("version", undefined, ">= 1"));
});

Deno.test("checkConstraint() set operators split on commas and trim", () => {
  assert(checkConstraint("set_contains", "a, b,c", "c,a"));
  assert(checkConstraint("set_contains_all", "a,b,c", "a, b"));
  assert(!checkConstraint("set_contains_all", "a,b", "a,d"));
  assert(checkConstraint("set_contains_any", "r1,r2", "r9, r2"));
  assert(!checkConstraint("set_contains_any", "r1,r2", "r9"));
  assert(!checkConstraint("set_contains_any", undefined, "r9"));
});

Deno.test("checkConstraint() leaves distinct_* to the plan checks and rejects unknown operators", () => {
  assert(checkConstraint("distinct_hosts", undefined, undefined));
  assert(checkConstraint("distinct_property", undefined, undefined));
  assert(!checkConstraint("near", "a", "a"));
});

Deno.test("meetsConstraint() resolves both targets on the node", () => {
  const node = mockNode({ Meta: { rack: "r7" } });
  assert(meetsConstraint({ LTarget: "${meta.rack}", Operand: "=", RTarget: "r7" }, node));
  assert(
    !meetsConstraint({ LTarget: "${attr.kernel.name}", Operand: "=", RTarget: "windows" }, node),
  );
});

Deno.test("escapedConstraints() picks constraints on unique targets", () => {
  const unique = { LTarget: "${node.unique.name}", Operand: "=", RTarget: "a" };
  const meta = { LTarget: "x", Operand: "=", RTarget: "${meta.unique.serial}" };
  const plain = { LTarget: "${attr.kernel.name}", Operand: "=", RTarget: "linux" };
  assertEquals(escapedConstraints([unique, plain, meta]), [unique, meta]);
});

Deno.test("globMatch() treats only * as special, like go-glob", () => {
  assert(globMatch("*", "anything"));
  assert(globMatch("dc*", "dc1"));
  assert(globMatch("*-west", "us-west"));
  assert(globMatch("us-*-1", "us-east-1"));
  assert(!globMatch("dc*", "xdc1"));
  assert(!globMatch("dc?", "dc1"));
  assert(globMatch("", ""));
  assert(!globMatch("", "dc1"));
});
