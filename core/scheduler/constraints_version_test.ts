import { assert, assertEquals } from "../../tests/assert.ts";
import {
  compareVersions,
  parseSemver,
  parseSemverConstraint,
  parseVersion,
  parseVersionConstraint,
  versionString,
} from "./constraints_version.ts";

function v(text: string) {
  const parsed = parseVersion(text);
  if (parsed === undefined) throw new Error(`test version ${text} does not parse`);
  return parsed;
}

function satisfies(version: string, constraint: string): boolean {
  const check = parseVersionConstraint(constraint);
  if (check === undefined) throw new Error(`test constraint ${constraint} does not parse`);
  return check(v(version));
}

Deno.test("parseVersion() reads go-version's lenient forms", () => {
  assertEquals(versionString(v("1.2")), "1.2.0");
  assertEquals(versionString(v("v1.2.3-beta1+meta")), "1.2.3-beta1+meta");
  assertEquals(v("1.2beta").pre, "beta");
  assertEquals(v("1.2").written, 2);
  assertEquals(parseVersion("one.two"), undefined);
  assertEquals(parseVersion("1.2.3 "), undefined);
});

Deno.test("parseSemver() needs a dash before the pre-release", () => {
  assertEquals(parseSemver("1.2beta"), undefined);
  assertEquals(parseSemver("1.2.0-beta")?.pre, "beta");
});

Deno.test("compareVersions() orders segments, pre-releases and padded versions", () => {
  assertEquals(compareVersions(v("1.2.3"), v("1.10.0")), -1);
  assertEquals(compareVersions(v("1.2"), v("1.2.0")), 0);
  assertEquals(compareVersions(v("1.2.0.1"), v("1.2.0")), 1);
  assertEquals(compareVersions(v("1.2.0-beta"), v("1.2.0")), -1);
  assertEquals(compareVersions(v("1.2.0-beta.2"), v("1.2.0-beta.10")), -1);
  assertEquals(compareVersions(v("1.2.0-alpha"), v("1.2.0-beta")), -1);
  assertEquals(compareVersions(v("1.2.0+a"), v("1.2.0+b")), 0);
});

Deno.test("parseVersionConstraint() checks comparison lists", () => {
  assert(satisfies("1.5.0", ">= 1.0, < 2.0"));
  assert(!satisfies("2.0.0", ">= 1.0, < 2.0"));
  assert(satisfies("1.0.0", "1.0"));
  assert(satisfies("1.0.1", "!= 1.0"));
  assert(satisfies("0.9", "<= 1"));
  assertEquals(parseVersionConstraint(">> 1.0"), undefined);
  assertEquals(parseVersionConstraint(""), undefined);
});

Deno.test("parseVersionConstraint() handles ~> like go-version", () => {
  assert(satisfies("1.2.9", "~> 1.2.3"));
  assert(!satisfies("1.3.0", "~> 1.2.3"));
  assert(satisfies("1.9.0", "~> 1.2"));
  assert(!satisfies("2.0.0", "~> 1.2"));
  assert(!satisfies("1.1.9", "~> 1.2"));
});

Deno.test("parseVersionConstraint() matches pre-releases only against pre-releases", () => {
  assert(!satisfies("1.3.0-beta", ">= 1.0"));
  assert(satisfies("1.3.0-beta2", ">= 1.3.0-beta1"));
  assert(!satisfies("1.4.0-beta2", ">= 1.3.0-beta1"));
  assert(satisfies("1.3.0", ">= 1.3.0-beta1"));
});

Deno.test("parseSemverConstraint() orders pre-releases without go-version's restriction", () => {
  const check = parseSemverConstraint(">= 1.0.0");
  assert(check !== undefined);
  assert(check(v("1.3.0-beta")));
  assertEquals(parseSemverConstraint("~> 1.0"), undefined);
  assertEquals(parseSemverConstraint(">= 1.0beta"), undefined);
});
