import { assert, assertEquals } from "../../tests/assert.ts";
import { respond } from "./respond.ts";
import { readJson } from "./respond.ts";
import { testApp } from "./_testing.ts";

function echoApp(options?: Parameters<typeof testApp>[1]) {
  return testApp((app) => {
    app.put("/v1/echo", async (c) => respond(c, await readJson(c)));
    app.get("/v1/ok", (c) => respond(c, "ok"));
  }, options);
}

Deno.test("createApp() refuses bodies over the limit with 413", async () => {
  const { app } = echoApp({ maxBodyBytes: 64 });
  const small = await app.request("/v1/echo", { method: "PUT", body: '{"a":1}' });
  assertEquals(await small.json(), { a: 1 });
  const big = await app.request("/v1/echo", {
    method: "PUT",
    body: JSON.stringify({ data: "x".repeat(100) }),
  });
  assertEquals(big.status, 413);
  assertEquals(
    await big.text(),
    "Request body is larger than the limit of 64 bytes; send a smaller body",
  );
  const stream = new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(`"${"y".repeat(100)}"`));
      controller.close();
    },
  });
  const chunked = await app.request("/v1/echo", { method: "PUT", body: stream });
  assertEquals(chunked.status, 413, "a body without Content-Length is counted as it is read");
});

Deno.test("createApp() logs each request with its method, path, status and duration", async () => {
  const { app, logger } = echoApp();
  await app.request("/v1/ok");
  await app.request("/v1/missing");
  const done = logger.lines.filter((l) => l.message === "request complete");
  assertEquals(done.map((l) => [l.fields.method, l.fields.path, l.fields.status]), [
    ["GET", "/v1/ok", 200],
    ["GET", "/v1/missing", 404],
  ]);
  assert(typeof done[0]!.fields.duration_ms === "number");
});

Deno.test("createApp() adds the configured response headers and no CORS headers", async () => {
  const { app } = echoApp({ responseHeaders: { "X-Served-By": "nomad-ts" } });
  const res = await app.request("/v1/ok", { headers: { Origin: "https://evil.example" } });
  assertEquals(res.headers.get("X-Served-By"), "nomad-ts");
  assertEquals(res.headers.get("Access-Control-Allow-Origin"), null);
  const preflight = await app.request("/v1/ok", {
    method: "OPTIONS",
    headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "GET" },
  });
  assertEquals(preflight.status, 405);
  assertEquals(preflight.headers.get("Access-Control-Allow-Origin"), null);
  const failed = await app.request("/v1/echo", { method: "PUT", body: "" });
  assertEquals(failed.headers.get("X-Served-By"), "nomad-ts", "error responses get them too");
});
