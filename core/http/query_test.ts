import { assert, assertEquals } from "../../tests/assert.ts";
import { MINUTE, SECOND } from "../structs/duration.ts";
import {
  DEFAULT_QUERY_TIME,
  MAX_QUERY_TIME,
  parseQueryOptions,
  parseWriteOptions,
  queryBool,
  queryInt,
  timeToBlock,
} from "./query.ts";
import { respond } from "./respond.ts";
import { testApp } from "./_testing.ts";

/** An app that echoes the parsed options of each request. */
function echo() {
  return testApp((app) => {
    app.get("/q", (c) => {
      const q = parseQueryOptions(c, { region: "eu" });
      return respond(c, { ...q, filter: q.filter?.expression ?? null });
    });
    app.put("/w", (c) => respond(c, parseWriteOptions(c)));
    app.get("/b", (c) => respond(c, { flag: queryBool(c, "resources") ?? null }));
    app.get("/i", (c) => respond(c, { n: queryInt(c, "limit") ?? null }));
  }).app;
}

async function get(path: string, init?: RequestInit): Promise<[number, unknown]> {
  const res = await echo().request(path, init);
  const text = await res.text();
  return [
    res.status,
    res.headers.get("Content-Type") === "application/json" ? JSON.parse(text) : text,
  ];
}

Deno.test("parseQueryOptions() gives Nomad's defaults for a bare request", async () => {
  assertEquals(await get("/q"), [200, {
    region: "eu",
    namespace: "default",
    allowStale: false,
    minQueryIndex: 0,
    maxQueryTime: 0,
    prefix: "",
    reverse: false,
    perPage: 0,
    nextToken: "",
    filter: null,
    authToken: "",
  }]);
});

Deno.test("parseQueryOptions() reads every query parameter", async () => {
  const [status, q] = await get(
    "/q?region=us&namespace=*&stale&index=42&wait=30s&prefix=we&reverse=true&per_page=5" +
      "&next_token=default.web&filter=" + encodeURIComponent('Status == "running"'),
    { headers: { "X-Nomad-Token": " secret " } },
  );
  assertEquals(status, 200);
  assertEquals(q, {
    region: "us",
    namespace: "*",
    allowStale: true,
    minQueryIndex: 42,
    maxQueryTime: 30 * SECOND,
    prefix: "we",
    reverse: true,
    perPage: 5,
    nextToken: "default.web",
    filter: 'Status == "running"',
    authToken: "secret",
  });
});

Deno.test("parseQueryOptions() reads ?stale as Go's ParseBool and ?reverse only as true", async () => {
  const stale = async (v: string) => ((await get(`/q?stale=${v}`))[1] as { allowStale: boolean });
  assertEquals((await stale("true")).allowStale, true);
  assertEquals((await stale("1")).allowStale, true);
  assertEquals((await stale("F")).allowStale, false);
  assertEquals(((await get("/q?reverse=1"))[1] as { reverse: boolean }).reverse, false);
});

Deno.test("parseQueryOptions() answers bad values with Nomad's 400 messages", async () => {
  assertEquals(await get("/q?wait=5"), [400, "Invalid wait time"]);
  assertEquals(await get("/q?wait=soon"), [400, "Invalid wait time"]);
  assertEquals(await get("/q?index=-1"), [400, "Invalid index"]);
  assertEquals(await get("/q?index=1.5"), [400, "Invalid index"]);
  assertEquals(await get("/q?index=18446744073709551616"), [400, "Invalid index"]);
  assertEquals(await get("/q?stale=maybe"), [
    400,
    "Expect `true` or `false` for `stale` query string parameter",
  ]);
  assertEquals(await get("/q?per_page=ten"), [
    400,
    "Expect a number for `per_page` query string parameter",
  ]);
  assertEquals(await get("/q?per_page=2147483648"), [
    400,
    "Expect a number for `per_page` query string parameter",
  ]);
  const [status, text] = await get("/q?filter=" + encodeURIComponent("Status =="));
  assertEquals(status, 400);
  assert(
    String(text).startsWith(
      "failed to create result paginator: failed to read filter expression: 1:10 (9): ",
    ),
    String(text),
  );
  assertEquals((await get("/q?index=x&filter=bad"))[1], "Invalid index");
});

Deno.test("parseQueryOptions() takes the token from Authorization: Bearer", async () => {
  const token = async (auth: string) =>
    ((await get("/q", { headers: { Authorization: auth } }))[1] as { authToken: string })
      .authToken;
  assertEquals(await token("Bearer abc"), "abc");
  assertEquals(await token("bearer  abc def"), "abc");
  assertEquals(await token("Basic abc"), "");
  assertEquals(await token("Bearer"), "");
  const both = await get("/q", { headers: { Authorization: "Bearer b", "X-Nomad-Token": "x" } });
  assertEquals((both[1] as { authToken: string }).authToken, "x");
});

Deno.test("parseWriteOptions() reads region, namespace, token and idempotency token", async () => {
  assertEquals(
    await get("/w?namespace=prod&idempotency_token=abc", {
      method: "PUT",
      headers: { "X-Nomad-Token": "t" },
    }),
    [200, { region: "global", namespace: "prod", authToken: "t", idempotencyToken: "abc" }],
  );
});

Deno.test("queryBool() and queryInt() read optional parameters with Nomad's errors", async () => {
  assertEquals(await get("/b"), [200, { flag: null }]);
  assertEquals(await get("/b?resources=true"), [200, { flag: true }]);
  assertEquals(await get("/b?resources=yes"), [
    400,
    'Failed to parse value of "resources" (yes) as a bool: strconv.ParseBool: parsing "yes": ' +
    "invalid syntax",
  ]);
  assertEquals(await get("/i?limit=-3"), [200, { n: -3 }]);
  assertEquals((await get("/i?limit=3x"))[0], 400);
});

Deno.test("timeToBlock() defaults and caps the wait like Nomad", () => {
  assertEquals(timeToBlock({ minQueryIndex: 0, maxQueryTime: MINUTE }), 0);
  assertEquals(timeToBlock({ minQueryIndex: 5, maxQueryTime: 0 }), DEFAULT_QUERY_TIME);
  assertEquals(timeToBlock({ minQueryIndex: 5, maxQueryTime: -SECOND }), DEFAULT_QUERY_TIME);
  assertEquals(timeToBlock({ minQueryIndex: 5, maxQueryTime: 10 * MINUTE }), MAX_QUERY_TIME);
  assertEquals(timeToBlock({ minQueryIndex: 5, maxQueryTime: 30 * SECOND }), 30 * SECOND);
  assertEquals(MAX_QUERY_TIME, 300 * SECOND);
});
