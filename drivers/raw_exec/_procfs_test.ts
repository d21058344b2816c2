import { assert, assertEquals } from "../../tests/assert.ts";
import { isRunning, parseStats, UsageSampler, zombieExit } from "./_procfs.ts";

/** A `/proc/<pid>/stat` line with the fields the driver reads; the others are 0. */
function statLine(
  pid: number,
  comm: string,
  f: { state?: string; session?: number; utime?: number; stime?: number; start?: number } & {
    rssPages?: number;
    wait?: number;
  } = {},
): string {
  const fields = Array.from({ length: 52 }, () => "0");
  fields[0] = String(pid);
  fields[1] = `(${comm})`;
  fields[2] = f.state ?? "S";
  fields[5] = String(f.session ?? pid);
  fields[13] = String(f.utime ?? 0);
  fields[14] = String(f.stime ?? 0);
  fields[21] = String(f.start ?? 1000);
  fields[23] = String(f.rssPages ?? 0);
  fields[51] = String(f.wait ?? 0);
  return fields.join(" ");
}

Deno.test("parseStats() reads each line, even when the command name holds ') ' and spaces", () => {
  const text = [
    statLine(10, "odd) name (x", { session: 7, utime: 3, stime: 4, start: 555, rssPages: 2 }),
    statLine(11, "sh", { state: "Z" }),
    "",
  ].join("\n");
  const procs = parseStats(text);
  assertEquals(procs.get(10), {
    pid: 10,
    state: "S",
    session: 7,
    utime: 3,
    stime: 4,
    startTicks: 555,
    rss: 8192,
    waitStatus: 0,
  });
  assertEquals(procs.get(11)?.state, "Z");
  assertEquals(procs.size, 2);
});

Deno.test("isRunning() is false for a zombie and for a reused pid", () => {
  const procs = parseStats(
    [statLine(1, "a", { start: 5 }), statLine(2, "b", { state: "Z", start: 6 })].join("\n"),
  );
  assert(isRunning(procs, { pid: 1, startTicks: 5 }), "the recorded process runs");
  assert(!isRunning(procs, { pid: 1, startTicks: 4 }), "another process has the pid now");
  assert(!isRunning(procs, { pid: 2, startTicks: 6 }), "a zombie is dead");
  assert(!isRunning(procs, { pid: 3, startTicks: 6 }), "a missing pid is dead");
});

Deno.test("zombieExit() decodes the wait status an unreaped task left", () => {
  const procs = parseStats([
    statLine(1, "a", { state: "Z", start: 5, wait: 7 << 8 }),
    statLine(2, "b", { state: "Z", start: 5, wait: 9 }),
    statLine(3, "c", { start: 5 }),
  ].join("\n"));
  assertEquals(zombieExit(procs, { pid: 1, startTicks: 5 }), { code: 7, signal: 0 });
  assertEquals(zombieExit(procs, { pid: 2, startTicks: 5 }), { code: 137, signal: 9 });
  assertEquals(zombieExit(procs, { pid: 2, startTicks: 4 }), null, "not the recorded process");
  assertEquals(zombieExit(procs, { pid: 3, startTicks: 5 }), null, "still running");
});

Deno.test("UsageSampler sums a session's live processes and turns ticks into CPU percent", () => {
  const sampler = new UsageSampler(50);
  const at = (t: number, u: number) =>
    parseStats([
      statLine(50, "task", { session: 50, utime: u, stime: 0, rssPages: 1 }),
      statLine(51, "child", { session: 50, utime: 0, stime: t, rssPages: 2 }),
      statLine(52, "gone", { session: 50, state: "Z", rssPages: 100 }),
      statLine(60, "other", { session: 60, utime: 999, rssPages: 100 }),
    ].join("\n"));
  const first = sampler.sample(at(0, 0), 1_000, 2_000);
  assertEquals(first.ResourceUsage.MemoryStats?.RSS, 3 * 4096);
  assertEquals(
    first.ResourceUsage.CpuStats?.Percent,
    0,
    "no CPU percent without a previous sample",
  );
  assertEquals(Object.keys(first.Pids ?? {}).sort(), ["50", "51"]);
  // One second later: 50 ticks of user time (50 %) and 25 of system time (25 %).
  const second = sampler.sample(at(25, 50), 2_000, 2_000);
  assertEquals(second.ResourceUsage.CpuStats?.UserMode, 50);
  assertEquals(second.ResourceUsage.CpuStats?.SystemMode, 25);
  assertEquals(second.ResourceUsage.CpuStats?.TotalTicks, 0.75 * 2_000);
  assertEquals(second.Timestamp, 2_000 * 1e6);
});
