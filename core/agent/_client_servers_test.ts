// Mapping client.servers (RPC addresses) to the servers' HTTP APIs.
import { assertEquals } from "../../tests/assert.ts";
import { httpCandidates, resolveServerHttp } from "./_client_servers.ts";

Deno.test("httpCandidates() tries the address's own port, then 4646 on the same host", () => {
  assertEquals(httpCandidates("127.0.0.1:4647"), ["127.0.0.1:4647", "127.0.0.1:4646"]);
  assertEquals(httpCandidates("10.0.0.1"), ["10.0.0.1:4647", "10.0.0.1:4646"]);
  assertEquals(httpCandidates("10.0.0.1:4646"), ["10.0.0.1:4646"]);
  assertEquals(httpCandidates("[::1]:9000"), ["[::1]:9000", "[::1]:4646"]);
  assertEquals(httpCandidates("http://server:4647/"), ["server:4647", "server:4646"]);
});

Deno.test("resolveServerHttp() picks the candidate that answers HTTP", async (t) => {
  await t.step("a real listener on the configured port", async () => {
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () => Response.json("127.0.0.1:4647"),
    );
    try {
      const addr = `127.0.0.1:${server.addr.port}`;
      const out = await resolveServerHttp([addr]);
      assertEquals(out.addrs, [addr]);
      assertEquals(out.notes, [`server ${addr} is reached over its HTTP API at ${addr}`]);
    } finally {
      await server.shutdown();
    }
  });

  await t.step("the RPC port falls back to 4646", async () => {
    const asked: string[] = [];
    const fake = ((url: string) => {
      asked.push(url);
      return url.includes(":4646/")
        ? Promise.resolve(Response.json("x"))
        : Promise.reject(new TypeError("connection refused"));
    }) as unknown as typeof fetch;
    const out = await resolveServerHttp(["127.0.0.1:4647"], { fetch: fake });
    assertEquals(out.addrs, ["127.0.0.1:4646"]);
    assertEquals(asked, [
      "http://127.0.0.1:4647/v1/status/leader",
      "http://127.0.0.1:4646/v1/status/leader",
    ]);
  });

  await t.step("nothing answers: every candidate is kept", async () => {
    const down = (() => Promise.reject(new TypeError("refused"))) as unknown as typeof fetch;
    const out = await resolveServerHttp(["10.0.0.9:4647", "10.0.0.9"], { fetch: down });
    assertEquals(out.addrs, ["10.0.0.9:4647", "10.0.0.9:4646"]);
    assertEquals(out.notes.length, 2);
  });
});
