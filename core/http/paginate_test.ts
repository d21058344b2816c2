import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { compileFilter } from "./bexpr.ts";
import { CodedError } from "./errors.ts";
import {
  createIndexIdTokenizer,
  idTokenizer,
  modifyIndexTokenizer,
  namespaceIdTokenizer,
  paginate,
} from "./paginate.ts";

interface Item {
  ID: string;
  Namespace: string;
  CreateIndex: number;
  ModifyIndex: number;
  Status: string;
}

const items: Item[] = ["a", "b", "c", "d", "e"].map((ID, i) => ({
  ID,
  Namespace: "default",
  CreateIndex: (i + 1) * 10,
  ModifyIndex: 100 - i,
  Status: i % 2 === 0 ? "running" : "dead",
}));

const q = (over: Partial<Parameters<typeof paginate>[1]> = {}) => ({
  perPage: 0,
  nextToken: "",
  reverse: false,
  filter: null,
  ...over,
});

const ids = (page: { items: Item[] }) => page.items.map((i) => i.ID);

Deno.test("paginate() lists everything when per_page is 0", () => {
  const page = paginate(items, q(), { tokenizer: idTokenizer() });
  assertEquals([ids(page), page.nextToken], [["a", "b", "c", "d", "e"], ""]);
});

Deno.test("paginate() walks pages with the next token until the last one", () => {
  const tokenizer = idTokenizer<Item>();
  const first = paginate(items, q({ perPage: 2 }), { tokenizer });
  assertEquals([ids(first), first.nextToken], [["a", "b"], "c"]);
  const second = paginate(items, q({ perPage: 2, nextToken: "c" }), { tokenizer });
  assertEquals([ids(second), second.nextToken], [["c", "d"], "e"]);
  const last = paginate(items, q({ perPage: 2, nextToken: "e" }), { tokenizer });
  assertEquals([ids(last), last.nextToken], [["e"], ""]);
  const exact = paginate(items, q({ perPage: 5 }), { tokenizer });
  assertEquals(exact.nextToken, "", "no token when the page ends exactly at the end");
  const between = paginate(items, q({ perPage: 2, nextToken: "bb" }), { tokenizer });
  assertEquals(ids(between), ["c", "d"], "a token between objects starts after it");
});

Deno.test("paginate() walks backwards with reverse", () => {
  const tokenizer = idTokenizer<Item>();
  const first = paginate(items, q({ perPage: 2, reverse: true }), { tokenizer });
  assertEquals([ids(first), first.nextToken], [["e", "d"], "c"]);
  const second = paginate(items, q({ perPage: 2, reverse: true, nextToken: "c" }), { tokenizer });
  assertEquals([ids(second), second.nextToken], [["c", "b"], "a"]);
});

Deno.test("paginate() filters before counting and the filter sees whole objects", () => {
  const filter = compileFilter("Status == running");
  const page = paginate(items, q({ perPage: 2, filter }), {
    tokenizer: idTokenizer(),
    stub: (i: Item) => ({ ID: i.ID }),
  });
  assertEquals(page, { items: [{ ID: "a" }, { ID: "c" }], nextToken: "e" });
  const selected = paginate(items, q(), { tokenizer: idTokenizer(), select: (i) => i.ID > "c" });
  assertEquals(ids(selected), ["d", "e"]);
});

Deno.test("paginate() answers 400 when the filter cannot be evaluated", () => {
  const filter = compileFilter("Missing == x");
  const err = assertThrows(
    () => paginate(items, q({ filter }), { tokenizer: idTokenizer() }),
    CodedError,
  ) as CodedError;
  assertEquals(err.status, 400);
  assertEquals(
    err.message,
    "failed to read result page: error finding value in datum: /Missing at part 0: " +
      'couldn\'t find struct field with name "Missing"',
  );
});

Deno.test("the tokenizers build Nomad's tokens and compare them in the list's order", () => {
  const item = items[1]!;
  assertEquals(namespaceIdTokenizer<Item>()(item, "default.a"), ["default.b", 1]);
  assertEquals(createIndexIdTokenizer<Item>()(item, "20.b"), ["20.b", 0]);
  assertEquals(createIndexIdTokenizer<Item>()(item, "102.a"), ["20.b", -1], "numeric index");
  assertEquals(createIndexIdTokenizer<Item>()(item, "3.z"), ["20.b", 1]);
  assertEquals(createIndexIdTokenizer<Item>()(item, "garbage"), ["20.b", -1]);
  assertEquals(modifyIndexTokenizer<Item>()(item, "100"), ["99", -1]);
  const page = paginate(items, q({ perPage: 2, nextToken: "30.c" }), {
    tokenizer: createIndexIdTokenizer(),
  });
  assertEquals([ids(page), page.nextToken], [["c", "d"], "50.e"]);
});
