import { assertEquals } from "../../../tests/assert.ts";
import { matchPrefix, sanitizeUUIDPrefix } from "./prefix.ts";

const id = (o: { ID: string }) => o.ID;

Deno.test("matchPrefix() finds none, the only one, the exact one, or several", () => {
  assertEquals(matchPrefix([], "ab", id), { kind: "none" });
  assertEquals(matchPrefix([{ ID: "abc" }], "ab", id), { kind: "one", match: { ID: "abc" } });
  assertEquals(matchPrefix([{ ID: "ab" }, { ID: "abc" }], "ab", id), {
    kind: "one",
    match: { ID: "ab" },
  });
  assertEquals(matchPrefix([{ ID: "abd" }, { ID: "abc" }], "ab", id).kind, "many");
});

Deno.test("sanitizeUUIDPrefix() keeps an even number of hex digits", () => {
  assertEquals(sanitizeUUIDPrefix("abc"), "ab");
  assertEquals(sanitizeUUIDPrefix("abcd"), "abcd");
  assertEquals(sanitizeUUIDPrefix("abcdef01-1"), "abcdef01-");
  assertEquals(sanitizeUUIDPrefix(""), "");
});
