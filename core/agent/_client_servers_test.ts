import { assertEquals } from "../../tests/assert.ts";
import { rpcAddr, rpcAddrs } from "./_client_servers.ts";

Deno.test("rpcAddr() gives an address Nomad's default RPC port and drops a scheme", () => {
  assertEquals(rpcAddr("127.0.0.1:4647"), "127.0.0.1:4647");
  assertEquals(rpcAddr("10.0.0.1"), "10.0.0.1:4647");
  assertEquals(rpcAddr(" server.example:9000 "), "server.example:9000");
  assertEquals(rpcAddr("[::1]:9000"), "[::1]:9000");
  assertEquals(rpcAddr("::1"), "[::1]:4647");
  assertEquals(rpcAddr("http://server:4647/"), "server:4647");
});

Deno.test("rpcAddrs() keeps each server once, in order, and skips blanks", () => {
  assertEquals(rpcAddrs(["10.0.0.2", "", "10.0.0.1:4647", "10.0.0.2:4647"]), [
    "10.0.0.2:4647",
    "10.0.0.1:4647",
  ]);
});
