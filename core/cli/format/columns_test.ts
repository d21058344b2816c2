import { assertEquals } from "../../../tests/assert.ts";
import { columnize, formatKV, formatList, idLength, limit } from "./columns.ts";

Deno.test("formatKV() aligns keys and puts <none> in empty values", () => {
  assertEquals(
    formatKV(["ID|example", "Submit Date|2024", "Class|"]),
    "ID          = example\nSubmit Date = 2024\nClass       = <none>",
  );
});

Deno.test("formatList() pads every column but the last and trims cells", () => {
  assertEquals(
    formatList(["ID|Status| Created ", "95a0741c|running|4m27s ago", "x||"]),
    "ID        Status   Created\n95a0741c  running  4m27s ago\nx         <none>   <none>",
  );
});

Deno.test("columnize() counts characters, not bytes, and keeps spaces with noTrim", () => {
  assertEquals(columnize(["é|a", "ab|b"]), "é   a\nab  b");
  assertEquals(
    columnize(["Version|1", "Diff|\n+/- x"], { glue: " = ", noTrim: true }),
    "Version = 1\nDiff    = \n+/- x",
  );
});

Deno.test("columnize() lines with fewer cells use the widths of the longest", () => {
  assertEquals(columnize(["a|bbb|c", "aaaa"]), "a     bbb  c\naaaa");
});

Deno.test("limit() and idLength() shorten IDs to 8 characters unless verbose", () => {
  assertEquals(limit("95a0741c-aace-805c", idLength(false)), "95a0741c");
  assertEquals(limit("short", 8), "short");
  assertEquals(limit("95a0741c-aace-805c", idLength(true)), "95a0741c-aace-805c");
});
