import { gunzipSync } from "node:zlib";
import { assert, assertEquals } from "../../tests/assert.ts";
import { int, str, strList, struct } from "../structs/schema.ts";
import {
  getField,
  readBody,
  readJson,
  respond,
  setIndex,
  setKnownLeader,
  setLastContact,
  setMeta,
  setNextToken,
} from "./respond.ts";
import { testApp } from "./_testing.ts";

const Req = struct("ScaleRequest", { JobID: str(), Count: int(), Tags: strList() });

function app() {
  return testApp((app) => {
    app.get("/json", (c) => respond(c, { Op: "<=", Nested: { A: 1, Skip: undefined }, N: null }));
    app.get(
      "/big",
      (c) => respond(c, { Items: Array.from({ length: 200 }, (_, i) => `item-${i}`) }),
    );
    app.get("/nil", (c) => respond(c, undefined));
    app.get("/created", (c) => respond(c, { ok: true }, { status: 201 }));
    app.get("/meta", (c) => {
      setMeta(c, { index: 12, lastContact: 3.7, knownLeader: false, nextToken: "default.b" });
      return respond(c, []);
    });
    app.get("/meta-defaults", (c) => {
      setMeta(c, { index: 0 });
      return respond(c, []);
    });
    app.get("/setters", (c) => {
      setIndex(c, 5);
      setKnownLeader(c, true);
      setLastContact(c, 0);
      setNextToken(c, "");
      return respond(c, null);
    });
    app.put("/decode", async (c) => respond(c, await readBody(c, Req)));
    app.put("/raw", async (c) => respond(c, await readJson(c)));
  }).app;
}

Deno.test("respond() writes Go's JSON: HTML-safe escapes, omitted undefined, no newline", async () => {
  const res = await app().request("/json");
  assertEquals(res.status, 200);
  assertEquals(res.headers.get("Content-Type"), "application/json");
  assertEquals(await res.text(), '{"Op":"\\u003c=","Nested":{"A":1},"N":null}');
});

Deno.test("respond() indents by four spaces and ends with a newline for ?pretty", async () => {
  const pretty = await (await app().request("/json?pretty")).text();
  assertEquals(
    pretty,
    '{\n    "Op": "\\u003c=",\n    "Nested": {\n        "A": 1\n    },\n    "N": null\n}\n',
  );
  assertEquals(await (await app().request("/json?pretty=true")).text(), pretty);
  assertEquals(
    await (await app().request("/json?pretty=0")).text(),
    '{"Op":"\\u003c=","Nested":{"A":1},"N":null}',
  );
});

Deno.test("respond() gzips large bodies for clients that accept gzip", async () => {
  const plain = await app().request("/big");
  assertEquals(plain.headers.get("Content-Encoding"), null);
  const plainText = await plain.text();
  const zipped = await app().request("/big", { headers: { "Accept-Encoding": "br, gzip" } });
  assertEquals(zipped.headers.get("Content-Encoding"), "gzip");
  assertEquals(zipped.headers.get("Vary"), "Accept-Encoding");
  const bytes = new Uint8Array(await zipped.arrayBuffer());
  assert(bytes.length < plainText.length, "the gzipped body is smaller");
  assertEquals(new TextDecoder().decode(gunzipSync(bytes)), plainText);
  const refused = await app().request("/big", { headers: { "Accept-Encoding": "gzip;q=0" } });
  assertEquals(refused.headers.get("Content-Encoding"), null);
  const small = await app().request("/json", { headers: { "Accept-Encoding": "gzip" } });
  assertEquals(small.headers.get("Content-Encoding"), null);
});

Deno.test("respond() writes nothing for undefined and takes a status", async () => {
  const nil = await app().request("/nil");
  assertEquals([nil.status, await nil.text(), nil.headers.get("Content-Type")], [200, "", null]);
  assertEquals((await app().request("/created")).status, 201);
});

Deno.test("setMeta() sets Nomad's query meta headers", async () => {
  const res = await app().request("/meta");
  assertEquals(res.headers.get("X-Nomad-Index"), "12");
  assertEquals(res.headers.get("X-Nomad-LastContact"), "3");
  assertEquals(res.headers.get("X-Nomad-KnownLeader"), "false");
  assertEquals(res.headers.get("X-Nomad-NextToken"), "default.b");
  const defaults = await app().request("/meta-defaults");
  assertEquals(defaults.headers.get("X-Nomad-KnownLeader"), "true");
  assertEquals(defaults.headers.get("X-Nomad-LastContact"), "0");
  assertEquals(defaults.headers.get("X-Nomad-NextToken"), null);
  const setters = await app().request("/setters");
  assertEquals(setters.headers.get("X-Nomad-Index"), "5");
  assertEquals(setters.headers.get("X-Nomad-NextToken"), null);
  assertEquals(await setters.text(), "null");
});

Deno.test("readBody() decodes with case-insensitive keys into the struct", async () => {
  const res = await app().request("/decode", {
    method: "PUT",
    body: JSON.stringify({ jobid: "web", COUNT: 3, Unknown: 1 }),
  });
  assertEquals(await res.json(), { JobID: "web", Count: 3, Tags: null });
});

Deno.test("readBody() answers 400 for empty, malformed and mistyped bodies", async () => {
  const put = (body: string) => app().request("/decode", { method: "PUT", body });
  const empty = await put("");
  assertEquals([empty.status, await empty.text()], [400, "Request body is empty"]);
  const malformed = await put("{JobID:");
  assertEquals(malformed.status, 400);
  assert((await malformed.text()).startsWith("Request decode failed: "));
  const mistyped = await put('{"JobID": 5, "Count": "x"}');
  assertEquals([mistyped.status, await mistyped.text()], [
    400,
    "Request decode failed: JobID: expected a string, got number; " +
    "Count: expected an integer, got string",
  ]);
  const raw = await app().request("/raw", { method: "PUT", body: "[1,2]" });
  assertEquals(await raw.json(), [1, 2]);
});

Deno.test("getField() matches keys as Go's encoding/json does", () => {
  assertEquals(getField({ EnforceIndex: true, enforceindex: false }, "EnforceIndex"), true);
  assertEquals(getField({ enforceindex: false }, "EnforceIndex"), false);
  assertEquals(getField({ other: 1 }, "EnforceIndex"), undefined);
  assertEquals(getField([1], "0"), undefined);
  assertEquals(getField(null, "x"), undefined);
});
