import { assert, assertEquals, assertThrows } from "../../tests/assert.ts";
import {
  droppedLine,
  formatValue,
  hclogTime,
  Logger,
  LogOutput,
  type LogSubscription,
  parseLogLevel,
} from "./log.ts";

const AT = new Date("2024-11-30T11:41:28.123Z");

function capture(): { lines: string[]; out: LogOutput } {
  const lines: string[] = [];
  const out = new LogOutput((line) => {
    lines.push(line);
    return Promise.resolve();
  });
  return { lines, out };
}

Deno.test("Logger writes hclog's line format with the info prefix and key=value fields", async () => {
  const { lines, out } = capture();
  out.open();
  const log = new Logger(out, { level: "INFO", now: () => AT }).named("nomad");
  log.info("starting scheduling worker(s)", { num_workers: 2, schedulers: ["service", "batch"] });
  log.warn("plain message");
  log.named("heartbeat").error("failed", { error: new Error("boom bang"), node: "" });
  await out.flush();
  const ts = hclogTime(AT);
  assertEquals(lines, [
    `    ${ts} [INFO]  nomad: starting scheduling worker(s): num_workers=2 schedulers=["service", "batch"]`,
    `    ${ts} [WARN]  nomad: plain message`,
    `    ${ts} [ERROR] nomad.heartbeat: failed: error="boom bang" node=""`,
  ]);
});

Deno.test("Logger drops messages below its level and everything at OFF", async () => {
  const { lines, out } = capture();
  out.open();
  const warn = new Logger(out, { level: "WARN", now: () => AT });
  warn.debug("no");
  warn.info("no");
  warn.warn("yes");
  new Logger(out, { level: "OFF" }).error("no");
  await out.flush();
  assertEquals(lines.length, 1);
  assertEquals(lines[0]!.endsWith("[WARN]  yes"), true);
});

Deno.test("Logger writes one JSON object per line with -log-json", async () => {
  const { lines, out } = capture();
  out.open();
  new Logger(out, { level: "DEBUG", json: true, now: () => AT }).named("http").debug(
    "request complete",
    {
      method: "GET",
      status: 200,
    },
  );
  await out.flush();
  assertEquals(JSON.parse(lines[0]!), {
    "@level": "debug",
    "@message": "request complete",
    "@module": "http",
    "@timestamp": hclogTime(AT, true),
    method: "GET",
    status: 200,
  });
});

Deno.test("LogOutput holds lines back until it is opened, then keeps their order", async () => {
  const { lines, out } = capture();
  out.line("a");
  out.line("b");
  await out.flush();
  assertEquals(lines, []);
  out.open();
  out.line("c");
  await out.flush();
  assertEquals(lines, ["a", "b", "c"]);
});

Deno.test("hclogTime() prints local time with the zone offset, Z for UTC", () => {
  const t = hclogTime(AT);
  const offset = -AT.getTimezoneOffset();
  if (offset === 0) assertEquals(t, "2024-11-30T11:41:28.123Z");
  else assertEquals(/^2024-11-30T\d\d:\d\d:28\.123[+-]\d{4}$/.test(t), true);
  assertEquals(/\.123000(Z|[+-]\d\d:\d\d)$/.test(hclogTime(AT, true)), true);
});

Deno.test("formatValue() quotes only values that need it, as hclog", () => {
  assertEquals(formatValue("eth0"), "eth0");
  assertEquals(formatValue("a b"), '"a b"');
  assertEquals(formatValue(""), '""');
  assertEquals(formatValue(3.5), "3.5");
  assertEquals(formatValue([1, 2]), "[1, 2]");
  assertEquals(formatValue(null), "<nil>");
});

Deno.test("parseLogLevel() accepts Nomad's levels in any case", () => {
  assertEquals([parseLogLevel("debug"), parseLogLevel("Warn"), parseLogLevel("verbose")], [
    "DEBUG",
    "WARN",
    undefined,
  ]);
});

/** Reads what a subscription has buffered, up to `max` lines, without waiting for more. */
async function drain(sub: LogSubscription, max: number): Promise<string[]> {
  const out: string[] = [];
  sub.close();
  for await (const line of sub) {
    out.push(line);
    if (out.length === max) break;
  }
  return out;
}

Deno.test("LogOutput.subscribe() streams lines below the agent's level, unindented", async () => {
  const { lines, out } = capture();
  out.open();
  const log = new Logger(out, { level: "INFO", now: () => AT }).named("nomad");
  const sub = out.subscribe({ level: "DEBUG" });
  assertEquals(log.enabled("DEBUG"), true);
  assertEquals(log.enabled("TRACE"), false);
  log.debug("evaluating", { job: "web" });
  log.trace("too detailed");
  log.info("started");
  await out.flush();
  const ts = hclogTime(AT);
  assertEquals(lines, [`    ${ts} [INFO]  nomad: started`]);
  assertEquals(await drain(sub, 10), [
    `${ts} [DEBUG] nomad: evaluating: job=web`,
    `${ts} [INFO]  nomad: started`,
  ]);
  assertEquals(out.subscriberCount, 0);
  assertEquals(log.enabled("DEBUG"), false);
});

Deno.test("LogOutput.subscribe() gives each subscriber its own level and format", async () => {
  const { out } = capture();
  const log = new Logger(out, { level: "OFF", now: () => AT });
  const warn = out.subscribe({ level: "WARN" });
  const json = out.subscribe({ level: "INFO", json: true });
  const none = out.subscribe({ level: "OFF" });
  log.named("http").info("request", { status: 200 });
  log.error("broken");
  assertEquals(await drain(warn, 10), [`${hclogTime(AT)} [ERROR] broken`]);
  assertEquals((await drain(json, 10)).map((l) => JSON.parse(l)["@message"]), [
    "request",
    "broken",
  ]);
  assertEquals(await drain(none, 10), []);
});

Deno.test("LogSubscription drops lines a slow reader has no room for, then says how many", async () => {
  const { out } = capture();
  const log = new Logger(out, { level: "OFF", now: () => AT });
  const sub = out.subscribe({ level: "INFO", buffer: 3 });
  for (let i = 1; i <= 10; i++) log.info(`line ${i}`);
  assertEquals(sub.dropped, 7);
  const first = await sub.next();
  assertEquals(first.value?.endsWith("line 1"), true);
  log.info("line 11");
  const rest = await drain(sub, 10);
  assertEquals(rest.map((l) => l.replace(/^\S+ \[\w+\]\s+/, "")), [
    "line 2",
    "line 3",
    droppedLine(7),
    "line 11",
  ]);
  assertEquals(droppedLine(7), "[WARN] Monitor dropped 7 logs during monitor request");
});

Deno.test("LogSubscription hands a line straight to a waiting reader and ends on abort", async () => {
  const { out } = capture();
  const log = new Logger(out, { level: "OFF", now: () => AT });
  const ctl = new AbortController();
  const sub = out.subscribe({ level: "INFO", signal: ctl.signal });
  const waiting = sub.next();
  log.warn("hello");
  assertEquals((await waiting).value?.endsWith("[WARN]  hello"), true);
  const pending = sub.next();
  ctl.abort();
  assertEquals((await pending).done, true);
  assertEquals([sub.closed, out.subscriberCount], [true, 0]);
  log.warn("after");
  assertEquals((await sub.next()).done, true);
  const late = out.subscribe({ level: "INFO", signal: ctl.signal });
  assertEquals([late.closed, out.subscriberCount], [true, 0]);
});

Deno.test("LogOutput.endSubscriptions() ends every stream after its buffered lines", async () => {
  const { out } = capture();
  const log = new Logger(out, { level: "OFF", now: () => AT });
  const a = out.subscribe({ level: "INFO" });
  const b = out.subscribe({ level: "INFO" });
  log.info("last words");
  out.endSubscriptions();
  assertEquals(out.subscriberCount, 0);
  const read = async (s: LogSubscription) => {
    const got: string[] = [];
    for await (const l of s) got.push(l);
    return got;
  };
  assertEquals((await read(a)).length, 1);
  assertEquals((await read(b)).length, 1);
  assert(!out.wants("ERROR"));
  assertThrows(() => out.subscribe({ level: "INFO", buffer: 0 }), RangeError, "'buffer'");
});
