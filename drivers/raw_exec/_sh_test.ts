import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { sh, Signaller, signalNumber } from "./_sh.ts";
import { alive, eventually } from "./raw_exec_testing.ts";

Deno.test("signalNumber() knows Linux's signal names and refuses others", () => {
  assertEquals([signalNumber("SIGTERM"), signalNumber("SIGKILL"), signalNumber("SIGUSR1")], [
    15,
    9,
    10,
  ]);
  assertThrows(() => signalNumber("SIGBOGUS"), Error, "unknown signal SIGBOGUS");
  assertThrows(() => signalNumber("TERM"), Error, "unknown signal TERM");
  assertThrows(() => signalNumber("toString"), Error, "unknown signal toString");
});

Deno.test("Signaller sends the signals of one tick in one shell, to pids and process groups", async () => {
  // A session (and group) leader with a child, both ours; `setsid` execs, so $! is the leader.
  const out = await sh("setsid sh -c 'sleep 30 & exec sleep 30' >/dev/null 2>&1 & echo $!");
  const leader = Number(out.trim());
  await eventually(2_000, () => alive(leader));
  const children = await sh(`sleep 0.2; pgrep -g ${leader}`);
  const members = children.trim().split("\n").map(Number);
  assertEquals(members.length, 2, `the group holds the leader and its child: ${children}`);
  const signaller = new Signaller();
  const delivered = await Promise.all([
    signaller.send(-leader, 9),
    signaller.send(2 ** 22 + 1, 15), // above Linux's largest pid: no such process
  ]);
  assertEquals(delivered, [true, false]);
  for (const pid of members) {
    assertEquals(await eventually(2_000, () => !alive(pid)), true, `${pid} was killed`);
  }
});
