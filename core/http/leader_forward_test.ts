import { assertEquals } from "../../tests/assert.ts";
import { createApp } from "./app.ts";
import { leaderForwarding, type Leadership } from "./leader_forward.ts";
import { HOPS_HEADER } from "./routes/_client_forward.ts";

function followerApp(l: Leadership, holdMs = 0) {
  return createApp({
    logger: { debug() {}, error() {} },
    routes: (app) => {
      app.use(leaderForwarding(l, "http", holdMs));
      app.get("/v1/jobs", (c) => {
        c.header("X-Nomad-Index", "7");
        c.header("X-Nomad-KnownLeader", "true");
        c.header("X-Nomad-LastContact", "0");
        return c.json(["local"]);
      });
      app.post("/v1/jobs", (c) => c.json({ where: "local" }));
      app.get("/v1/status/leader", (c) => c.json(l.leader()));
    },
  });
}

Deno.test("leaderForwarding() sends a follower's writes and consistent reads to the leader, answers ?stale locally", async () => {
  const seen: string[] = [];
  const upstream = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    seen.push(`${req.method} ${new URL(req.url).pathname} hops=${req.headers.get(HOPS_HEADER)}`);
    return Response.json(["leader"]);
  });
  try {
    const l = {
      leading: false,
      isLeader() {
        return this.leading;
      },
      leader: () => `127.0.0.1:${upstream.addr.port}`,
      lastContactMs: () => 1234,
    };
    const app = followerApp(l);
    assertEquals(await (await app.request("/v1/jobs")).json(), ["leader"]);
    const post = await app.request("/v1/jobs", { method: "POST", body: "{}" });
    assertEquals(await post.json(), ["leader"]);
    assertEquals(seen, ["GET /v1/jobs hops=1", "POST /v1/jobs hops=1"]);

    const stale = await app.request("/v1/jobs?stale");
    assertEquals(await stale.json(), ["local"]);
    assertEquals(stale.headers.get("X-Nomad-KnownLeader"), "true");
    assertEquals(stale.headers.get("X-Nomad-LastContact"), "1234");
    assertEquals(
      await (await app.request("/v1/status/leader")).json(),
      `127.0.0.1:${upstream.addr.port}`,
      "status answers locally",
    );

    l.leading = true;
    assertEquals(await (await app.request("/v1/jobs")).json(), ["local"], "the leader serves");
    assertEquals(seen.length, 2);
  } finally {
    await upstream.shutdown();
  }
});

Deno.test("leaderForwarding() answers 'No cluster leader' when a follower knows no leader", async () => {
  const app = followerApp({ isLeader: () => false, leader: () => "", lastContactMs: () => 0 });
  const res = await app.request("/v1/jobs", { method: "POST", body: "{}" });
  assertEquals([res.status, await res.text()], [500, "No cluster leader"]);
  const stale = await app.request("/v1/jobs?stale=true");
  assertEquals(stale.headers.get("X-Nomad-KnownLeader"), "false");
});

Deno.test("leaderForwarding() keeps trying while the leadership moves, up to the hold time", async () => {
  const upstream = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    return Response.json(["new leader"]);
  });
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const dead = `127.0.0.1:${closed.addr.port}`;
  closed.close();
  try {
    let leader = dead;
    const app = followerApp({
      isLeader: () => false,
      leader: () => leader,
      lastContactMs: () => 0,
    }, 5_000);
    setTimeout(() => leader = `127.0.0.1:${upstream.addr.port}`, 300);
    const res = await app.request("/v1/jobs", { method: "POST", body: "{}" });
    assertEquals(await res.json(), ["new leader"], "the write reaches the new leader");

    const gone = followerApp(
      { isLeader: () => false, leader: () => dead, lastContactMs: () => 0 },
      200,
    );
    const started = Date.now();
    const failed = await gone.request("/v1/jobs", { method: "POST", body: "{}" });
    assertEquals([failed.status, await failed.text()], [500, "No cluster leader"]);
    assertEquals(Date.now() - started >= 200, true, "it held the request for the hold time");
  } finally {
    await upstream.shutdown();
  }
});
