import { assert, assertEquals, assertThrows } from "../../tests/assert.ts";
import { BexprError, compileFilter } from "./bexpr.ts";

const job = {
  ID: "web",
  Name: "web",
  Namespace: "default",
  Type: "service",
  Priority: 50,
  Stop: false,
  Status: "running",
  Datacenters: ["dc1", "dc2"],
  Meta: { owner: "team-a", "cost-center": "42" },
  Periodic: null,
  Affinities: null,
  Version: 3,
  Weight: 0.5,
  Ports: [8080, 9090],
  Flags: [true],
  TaskGroups: [
    { Name: "api", Count: 3, Meta: null, Tasks: [{ Name: "server", Driver: "docker" }] },
    { Name: "cache", Count: 1, Meta: { tier: "hot" }, Tasks: [] },
  ],
  Description: "Serves <the> web",
};

function check(expression: string, expected: boolean): void {
  assertEquals(compileFilter(expression).matches(job), expected, expression);
}

Deno.test("Filter.matches() compares strings, numbers and booleans by the datum's type", () => {
  check("Status == running", true);
  check('Status == "running"', true);
  check("Status != running", false);
  check("Priority == 50", true);
  check('Priority == "50"', true);
  check(`Priority == "0x32"`, true);
  check("Priority == `5_0`", true);
  check("Priority == `0_62`", true); // base 0: a leading 0 means octal, as in Go
  check("Priority != 51", true);
  check("Weight == 0.5", true);
  check("Version == 3.0", true);
  check("Stop == false", true);
  check("Stop == F", true);
  check("Stop != true", true);
});

Deno.test("Filter.matches() looks for keys, elements and substrings with in/contains", () => {
  check("dc1 in Datacenters", true);
  check("dc3 in Datacenters", false);
  check("Datacenters contains dc2", true);
  check("dc3 not in Datacenters", true);
  check("owner in Meta", true);
  check("Meta not contains owner", false);
  check("web in Description", true);
  check('"<the>" in Description', true);
  check("8080 in Ports", true);
  check("abc in Ports", false);
  check("true in Flags", true);
  check("x in Affinities", false);
});

Deno.test("Filter.matches() tests emptiness and nil", () => {
  check("Datacenters is not empty", true);
  check("Affinities is empty", true);
  check("Name is not empty", true);
  check("TaskGroups.1.Tasks is empty", true);
  check("Periodic is nil", true);
  check("Meta is not nil", true);
  check("TaskGroups.0.Meta is nil", true);
});

Deno.test("Filter.matches() applies Go regular expressions", () => {
  check('Name matches "^w.b$"', true);
  check('Name matches "(?i)^WEB$"', true);
  check('Name not matches "^api"', true);
  check('Meta["cost-center"] matches `^\\d+$`', true);
});

Deno.test("Filter.matches() follows map keys, list indices and JSON pointers", () => {
  check('Meta["cost-center"] == "42"', true);
  check('Meta.owner == "team-a"', true);
  check("TaskGroups.0.Name == api", true);
  check("TaskGroups.0.Tasks.0.Driver == docker", true);
  check('"/Meta/cost-center" == 42', true);
  check('"/TaskGroups/1/Meta/tier" == hot', true);
});

Deno.test("Filter.matches() treats a missing map key as not present, as go-bexpr does", () => {
  check("Meta.missing == x", false);
  check("Meta.missing != x", true);
  check("x in Meta.missing", false);
  check("x not in Meta.missing", true);
  check("Meta.missing is empty", true);
  check("Meta.missing is not empty", false);
  check('Meta.missing matches "."', false);
  check('Meta.missing not matches "."', true);
  check("Meta.missing is nil", true);
  check("TaskGroups.0.Meta.tier == hot", false);
  check("Periodic.Enabled == true", false);
});

Deno.test("Filter.matches() combines with and, or, not and parentheses", () => {
  check("Status == running and Type == service", true);
  check("Status == dead or Type == service", true);
  check("not (Status == dead or Type == batch)", true);
  check("not Status == running", false);
  check("Status == dead and Missing == 1", false); // short-circuit: Missing never looked up
  check("Status == running or Missing == 1", true);
});

Deno.test("Filter.matches() evaluates any and all over lists and maps", () => {
  check("any TaskGroups as g { g.Name == cache }", true);
  check("all TaskGroups as g { g.Count == 3 }", false);
  check("all TaskGroups as g { g.Count != 0 }", true);
  check("any TaskGroups as i, g { i == 1 and g.Name == cache }", true);
  check("any Meta as k { k == owner }", true);
  check('any Meta as k, v { k == owner and v == "team-a" }', true);
  check('all Meta as _, v { v matches "^[a-z0-9-]+$" }', true);
  check("any TaskGroups as g { any g.Tasks as t { t.Driver == docker } }", true);
  check("all Affinities as a { a.Weight == 1 }", true);
  check("any Affinities as a { a.Weight == 1 }", false);
  check("any Meta.missing as a { a == 1 }", false);
});

Deno.test("Filter.matches() reports what go-bexpr reports as evaluation errors", () => {
  const fails = (expression: string, message: string) =>
    assertThrows(() => compileFilter(expression).matches(job), BexprError, message);
  fails(
    "Missing == x",
    'error finding value in datum: /Missing at part 0: couldn\'t find struct field with name "Missing"',
  );
  fails("Priority == abc", 'strconv.ParseInt: parsing "abc": invalid syntax');
  fails("Stop == yes", 'strconv.ParseBool: parsing "yes": invalid syntax');
  fails("Datacenters == dc1", "unable to find suitable primitive comparison function");
  fails("Periodic == x", "unable to find suitable primitive comparison function");
  fails(
    "x in Priority",
    'cannot perform in/contains operations on type int for selector: "Priority"',
  );
  fails("Stop is empty", "cannot perform is-empty operations on type bool");
  fails("Name is nil", "cannot perform is-nil operations on type string");
  fails('Priority matches "5"', "value of type int is not convertible to []byte");
  fails("api in TaskGroups", 'for "in" comparison in interface slice: map');
  fails("TaskGroups.5.Name == x", "index out of range: 5");
  fails("TaskGroups.x.Name == x", "at part 1");
  fails("Name.First == x", "invalid value kind: string");
  fails("any Name as n { n == 1 }", "Name is not a list or a map");
  fails("any Meta as k { k.x == 1 }", "/k references a string so /k/x is invalid");
});

Deno.test("compileFilter() wraps the source text and keeps it", () => {
  const f = compileFilter("Status == running");
  assertEquals(f.expression, "Status == running");
  const err = assertThrows(() => compileFilter("Status = running"), BexprError);
  assert((err as BexprError).position !== undefined);
  assertEquals((err as BexprError).position!.offset, 7);
});

Deno.test("Filter.matches() treats omitted (undefined) fields as Go's zero value", () => {
  const f = compileFilter("Region is empty");
  assert(f.matches({ Region: undefined }));
});
