import { assertEquals, assertRejects, assertThrows } from "../../../tests/assert.ts";
import { joinHostPort, localMembership, multiError, splitJoinAddress } from "./_membership.ts";

const SELF = { Name: "test.global", Addr: "127.0.0.1", Port: 4648 };

/** A port nothing listens on: bound, then released. */
function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

Deno.test("splitJoinAddress() reads host, host:port and IPv6 forms as memberlist does", () => {
  assertEquals(splitJoinAddress("10.0.0.9", 4648), ["10.0.0.9", 4648]);
  assertEquals(splitJoinAddress("10.0.0.9:5000", 4648), ["10.0.0.9", 5000]);
  assertEquals(splitJoinAddress("::1", 4648), ["::1", 4648]);
  assertEquals(splitJoinAddress("[::1]:7", 4648), ["::1", 7]);
  assertEquals(splitJoinAddress("[::1", 4648), ["::1", 4648]);
  assertThrows(
    () => splitJoinAddress("[a]:b:1", 1),
    Error,
    "address [a]:b:1: missing ']' in address",
  );
  assertEquals(joinHostPort("::1", 7), "[::1]:7");
  assertEquals(multiError(["x"]), "1 error occurred:\n\t* x\n\n");
});

Deno.test("localMembership().join() fails with Go's dial error where nothing answers", async () => {
  const port = closedPort();
  const pool = localMembership({ members: () => [SELF] });
  const err = await assertRejects(() => pool.join([`127.0.0.1:${port}`, "a:b"]));
  assertEquals(
    err.message,
    "2 errors occurred:\n" +
      `\t* Failed to join 127.0.0.1:${port}: dial tcp 127.0.0.1:${port}: connect: connection refused\n` +
      '\t* Failed to resolve a:b: strconv.ParseUint: parsing "b": invalid syntax\n\n',
  );
});

Deno.test("localMembership().join() counts this server as joined and ignores the others", async () => {
  const pool = localMembership({ members: () => [SELF] });
  assertEquals(await pool.join(["127.0.0.1"]), 1);
  assertEquals(await pool.join([`127.0.0.1:${closedPort()}`, "127.0.0.1:4648"]), 1);
});

Deno.test("localMembership().join() says it cannot join a server that answers", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const accepting = (async () => {
    for await (const conn of listener) conn.close();
  })();
  try {
    const pool = localMembership({ members: () => [SELF] });
    const err = await assertRejects(() => pool.join([`127.0.0.1:${port}`]));
    assertEquals(
      err.message.split("\n")[1],
      `\t* Failed to join 127.0.0.1:${port}: no server of this cluster is there; nomad-ts ` +
        "servers speak no gossip and meet through etcd (server { etcd { endpoints = [...] } })",
    );
  } finally {
    listener.close();
    await accepting.catch(() => {});
  }
});

Deno.test("localMembership().forceLeave() accepts any member, as Nomad's Serf does", async () => {
  const pool = localMembership({ members: () => [SELF] });
  assertEquals(await pool.forceLeave("nobody.global", true), undefined);
});
