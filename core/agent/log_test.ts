import { assertEquals } from "../../tests/assert.ts";
import { formatValue, hclogTime, Logger, LogOutput, parseLogLevel } from "./log.ts";

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
