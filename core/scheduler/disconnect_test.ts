import { assert, assertEquals } from "../../tests/assert.ts";
import { HOUR, MINUTE, SECOND } from "../structs/mod.ts";
import { mockAlloc, mockJob, NOW } from "./_testing.ts";
import {
  disconnectExpired,
  groupLostAfter,
  groupReconcile,
  groupReplaces,
  lastUnknown,
  needsToReconnect,
  waitClientStop,
} from "./disconnect.ts";
import { nsToTime } from "./util.ts";

const state = (value: string, t: number) => ({
  Field: "ClientStatus",
  Value: value,
  Time: nsToTime(t),
});

const disconnect = (patch: Record<string, unknown> = {}) => ({
  LostAfter: HOUR,
  StopOnClientAfter: null,
  Replace: null,
  Reconcile: null,
  ...patch,
});

Deno.test("needsToReconnect() and lastUnknown() read the last client-status transitions", () => {
  const job = mockJob({}, { Disconnect: disconnect() });
  const a = mockAlloc(job, 0, "n", {
    AllocStates: [
      state("unknown", NOW - 3 * HOUR),
      state("running", NOW - 2 * HOUR),
      state("unknown", NOW - 20 * MINUTE),
      state("unknown", NOW - 10 * MINUTE),
    ],
  });
  assert(needsToReconnect(a));
  assertEquals(lastUnknown(a), NOW - 20 * MINUTE, "the start of the latest run of unknowns");
  const back = { ...a, AllocStates: [...a.AllocStates!, state("running", NOW)] };
  assert(!needsToReconnect(back));
  assertEquals(lastUnknown(mockAlloc(job, 0, "n")), 0);
});

Deno.test("disconnectExpired() holds for an unknown allocation once lost_after has passed", () => {
  const job = mockJob({}, { Disconnect: disconnect() });
  const a = mockAlloc(job, 0, "n", {
    ClientStatus: "unknown",
    AllocStates: [state("unknown", NOW - HOUR)],
  });
  assert(disconnectExpired(a, null, NOW));
  assert(!disconnectExpired(a, null, NOW - SECOND));
  assert(!disconnectExpired({ ...a, ClientStatus: "running" }, null, NOW), "only unknown ones");
});

Deno.test("a group's disconnect settings: the block's, else the deprecated fields, else defaults", () => {
  const block = mockJob({}, { Disconnect: disconnect({ Replace: false }) }).TaskGroups![0]!;
  assertEquals(
    [groupLostAfter(block), groupReplaces(block), groupReconcile(block)],
    [HOUR, false, "best_score"],
  );
  const old = mockJob({}, { MaxClientDisconnect: MINUTE, PreventRescheduleOnLost: true })
    .TaskGroups![0]!;
  assertEquals([groupLostAfter(old), groupReplaces(old)], [MINUTE, false]);
  const none = mockJob().TaskGroups![0]!;
  assertEquals([groupLostAfter(none), groupReplaces(none)], [0, true]);
});

Deno.test("waitClientStop() counts stop_on_client_after and the longest kill timeout from the loss", () => {
  const job = mockJob({}, {
    Disconnect: disconnect({ LostAfter: null, StopOnClientAfter: MINUTE }),
  });
  const a = mockAlloc(job, 0, "n");
  assertEquals(waitClientStop(a, null, NOW), NOW + MINUTE + 5 * SECOND);
  const lost = { ...a, AllocStates: [state("lost", NOW - 30 * SECOND)] };
  assertEquals(waitClientStop(lost, null, NOW), NOW - 30 * SECOND + MINUTE + 5 * SECOND);
  assertEquals(waitClientStop(mockAlloc(mockJob(), 0, "n"), null, NOW), null);
});
