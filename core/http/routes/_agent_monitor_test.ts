// GET /v1/agent/monitor through app.request and a real socket.
import { assert, assertEquals } from "../../../tests/assert.ts";
import { Logger, LogOutput } from "../../agent/log.ts";
import { monitorLevel } from "./_agent_monitor.ts";
import { testApi } from "./_testing.ts";

const decoder = new TextDecoder();

/** An agent log (level OFF on its own output) the monitor can subscribe to. */
function agentLog(): { out: LogOutput; log: Logger } {
  const out = new LogOutput(() => Promise.resolve());
  out.open();
  return { out, log: new Logger(out, { level: "OFF" }).named("nomad") };
}

/** Waits until `out` has `n` subscribers. */
async function subscribers(out: LogOutput, n: number): Promise<void> {
  for (let i = 0; i < 500 && out.subscriberCount !== n; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  assertEquals(out.subscriberCount, n);
}

/** Reads chunks of `body` until `done(text)` holds; returns the text read. */
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  done: (text: string) => boolean,
): Promise<string> {
  let text = "";
  while (!done(text)) {
    const { value, done: end } = await reader.read();
    if (end) break;
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

/** The log lines of a frame stream: the decoded `Data` of every `{...}` object. */
function frameLines(text: string): string[] {
  const objects = text.match(/\{[^{}]*\}/g) ?? [];
  return objects.flatMap((o) => {
    const f = JSON.parse(o) as { Data?: string; FileEvent?: string };
    if (f.Data === undefined) return [];
    assertEquals(f.FileEvent, "log");
    return atob(f.Data).split("\n").filter((l) => l !== "");
  });
}

Deno.test("monitorLevel() reads hclog's levels in any case", () => {
  assertEquals(
    ["debug", " WARN ", "Off", "verbose"].map(monitorLevel),
    ["DEBUG", "WARN", "OFF", undefined],
  );
});

Deno.test("GET /v1/agent/monitor streams the agent's lines at the level asked for", async () => {
  const { out, log } = agentLog();
  await using api = await testApi({ logs: out, streamHeartbeatMs: 50 });
  const res = await api.app.request("/v1/agent/monitor?log_level=debug");
  assertEquals([res.status, res.headers.get("Content-Type")], [200, "application/json"]);
  const reader = res.body!.getReader();
  await subscribers(out, 1);
  log.trace("not streamed");
  log.debug("placing", { job: "web" });
  log.info("placed");
  const text = await readUntil(reader, (t) => t.includes("Data") && frameLines(t).length >= 2);
  const lines = frameLines(text);
  assertEquals(lines.map((l) => l.replace(/^\S+ /, "")), [
    "[DEBUG] nomad: placing: job=web",
    "[INFO]  nomad: placed",
  ]);
  await reader.cancel();
  await subscribers(out, 0);
});

Deno.test("GET /v1/agent/monitor?plain=true&log_json=true writes bare JSON lines", async () => {
  const { out, log } = agentLog();
  await using api = await testApi({ logs: out, streamHeartbeatMs: 50 });
  const pending = api.app.request("/v1/agent/monitor?plain=true&log_json=true");
  await subscribers(out, 1);
  log.warn("disk low", { free: "1%" });
  out.endSubscriptions();
  const res = await pending;
  assertEquals(res.headers.get("Content-Type"), "text/plain");
  const line = JSON.parse(await res.text());
  assertEquals([line["@level"], line["@message"], line.free], ["warn", "disk low", "1%"]);
});

Deno.test("GET /v1/agent/monitor answers Nomad's errors for bad parameters", async () => {
  const { out } = agentLog();
  await using api = await testApi({ logs: out });
  const cases: [string, number, string][] = [
    ["log_level=verbose", 400, "Unknown log level: verbose"],
    [
      "log_json=maybe",
      400,
      'Unknown option for log json: strconv.ParseBool: parsing "maybe": invalid syntax',
    ],
    ["plain=2", 400, 'Unknown option for plain: strconv.ParseBool: parsing "2": invalid syntax'],
    ["node_id=a&server_id=b", 400, "Cannot target node and server simultaneously"],
    ["server_id=other.global", 400, "unknown nomad server other.global"],
    ["node_id=ffff", 404, 'Unknown node "ffff"'],
  ];
  for (const [query, status, text] of cases) {
    const res = await api.app.request(`/v1/agent/monitor?${query}`);
    assertEquals([res.status, await res.text()], [status, text], query);
  }
  assertEquals(out.subscriberCount, 0);
  await using noLog = await testApi();
  const res = await noLog.app.request("/v1/agent/monitor");
  assertEquals(res.status, 500);
  assert((await res.text()).includes("no log source"));
});

Deno.test("GET /v1/agent/monitor?server_id= accepts this server and the leader", async () => {
  const { out } = agentLog();
  await using api = await testApi({ logs: out, streamHeartbeatMs: 20 });
  for (const id of ["leader", "test", "test.global"]) {
    const pending = api.app.request(`/v1/agent/monitor?server_id=${id}`);
    await subscribers(out, 1);
    out.endSubscriptions();
    assertEquals((await pending).status, 200, id);
  }
});

Deno.test("GET /v1/agent/monitor ends the subscription when the client disconnects", async () => {
  const { out, log } = agentLog();
  await using api = await testApi({ logs: out, streamHeartbeatMs: 50 });
  const http = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, api.app.fetch);
  try {
    const ctl = new AbortController();
    const res = await fetch(`http://127.0.0.1:${http.addr.port}/v1/agent/monitor`, {
      signal: ctl.signal,
    });
    const reader = res.body!.getReader();
    await subscribers(out, 1);
    log.info("hello");
    assertEquals(frameLines(await readUntil(reader, (t) => t.includes("Data"))).length, 1);
    ctl.abort();
    await reader.cancel().catch(() => {});
    await subscribers(out, 0);
  } finally {
    await http.shutdown();
  }
});
