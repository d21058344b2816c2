import { assert, assertEquals } from "../../tests/assert.ts";
import { mockAlloc, mockJob } from "./_testing.ts";
import {
  allocName,
  allocNameIndex,
  isServerTerminal,
  isTerminal,
  nodeInDCs,
  nodeInPool,
  nsToTime,
  timeToNs,
} from "./util.ts";
import { AllocNameIndex } from "./util_names.ts";
import { globMatch } from "./constraints.ts";

Deno.test("allocName() and allocNameIndex() round-trip Nomad's <job>.<group>[<index>]", () => {
  assertEquals(allocName("web", "frontend", 12), "web.frontend[12]");
  assertEquals(allocNameIndex("web.frontend[12]", "web", "frontend"), 12);
  assertEquals(allocNameIndex("web.a.b[3]", "web.a", "b"), 3, "dots in IDs are fine");
  assertEquals(allocNameIndex("x", "web", "frontend"), 0, "too short gives 0");
  assertEquals(allocNameIndex("web.frontend[zz]", "web", "frontend"), 0);
});

Deno.test("isTerminal() is true when the servers or the client ended the allocation", () => {
  const j = mockJob();
  assertEquals(isTerminal(mockAlloc(j, 0, "n")), false);
  assertEquals(isTerminal(mockAlloc(j, 0, "n", { DesiredStatus: "stop" })), true);
  assertEquals(isServerTerminal(mockAlloc(j, 0, "n", { DesiredStatus: "evict" })), true);
  for (const s of ["complete", "failed", "lost"]) {
    assertEquals(isTerminal(mockAlloc(j, 0, "n", { ClientStatus: s })), true, s);
  }
  assertEquals(isTerminal(mockAlloc(j, 0, "n", { ClientStatus: "pending" })), false);
});

Deno.test("nsToTime() writes Go's RFC 3339 with trimmed nanoseconds and timeToNs() reads it", () => {
  assertEquals(nsToTime(1_700_000_000_000_000_000), "2023-11-14T22:13:20Z");
  assertEquals(nsToTime(1_700_000_000_500_000_000), "2023-11-14T22:13:20.5Z");
  assertEquals(timeToNs("2023-11-14T22:13:20.5Z"), 1_700_000_000_500_000_000);
  assertEquals(timeToNs("2023-11-14T23:13:20+01:00"), 1_700_000_000_000_000_000);
  assertEquals(timeToNs("0001-01-01T00:00:00Z"), 0, "Go's zero time is unset");
  assertEquals(nsToTime(0), "0001-01-01T00:00:00Z");
});

Deno.test("nodeInDCs() and nodeInPool() follow Nomad's datacenter and pool matching", () => {
  assert(nodeInDCs({ Datacenter: "dc2" }, ["dc*"]));
  assert(nodeInDCs({ Datacenter: "us-east-1" }, ["eu", "*-east-*"]));
  assert(!nodeInDCs({ Datacenter: "dc10" }, ["dc1"]));
  assert(nodeInDCs({ Datacenter: "x" }, null), "no datacenters means any");
  assert(globMatch("*", "dc1"));
  assert(nodeInPool({ NodePool: "default" }, null), "unset means default");
  assert(nodeInPool({ NodePool: "gpu" }, "all"));
  assert(!nodeInPool({ NodePool: "gpu" }, "default"));
});

Deno.test("AllocNameIndex picks the lowest free names and stops the highest", async (t) => {
  const j = mockJob();
  const existing = [0, 2, 5].map((i) => mockAlloc(j, i, "n"));
  await t.step("next() fills the gaps below the count, then wraps", () => {
    const names = new AllocNameIndex("web", "web", 4, existing);
    assertEquals(names.next(3), ["web.web[1]", "web.web[3]", "web.web[0]"]);
  });
  await t.step("highest() takes the highest used indexes", () => {
    const names = new AllocNameIndex("web", "web", 4, existing);
    assertEquals([...names.highest(2)], ["web.web[5]", "web.web[2]"]);
    assertEquals(names.isSet(5), false);
  });
  await t.step("duplicates are tracked and released one at a time", () => {
    const names = new AllocNameIndex("web", "web", 3, [...existing, mockAlloc(j, 2, "m")]);
    assert(names.isDuplicate(2));
    names.unsetIndex(2);
    assert(!names.isDuplicate(2));
    assert(names.isSet(2), "the first holder keeps the index");
  });
  await t.step(
    "nextCanaries() prefers the indexes being replaced, then free, then past the count",
    () => {
      const all = [0, 1, 2].map((i) => mockAlloc(j, i, "n"));
      const names = new AllocNameIndex("web", "web", 3, all);
      assertEquals(names.nextCanaries(2, [], [all[1]!, all[2]!]), ["web.web[1]", "web.web[2]"]);
      const more = new AllocNameIndex("web", "web", 3, all);
      assertEquals(more.nextCanaries(5, [], all), [
        "web.web[0]",
        "web.web[1]",
        "web.web[2]",
        "web.web[3]",
        "web.web[4]",
      ]);
    },
  );
});
