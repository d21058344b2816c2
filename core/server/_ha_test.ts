import { assert, assertEquals } from "../../tests/assert.ts";
import type { FollowItem } from "../state/mod.ts";
import type { LogFence } from "../state/etcd/mod.ts";
import { SILENT_LOGGER } from "./_core.ts";
import { type HaElection, type HaLeaderInfo, type HaLog, HaLoop, type HaTerm } from "./_ha.ts";
import {
  type BackendHealth,
  type HaMemberRecord,
  type HaMembers,
  STALE_AFTER_MS,
} from "./_ha_members.ts";

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 5_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** A log whose follows end only at their signal (or at once with `stopAtHead`). */
class FakeLog implements HaLog {
  fence: LogFence | null = null;
  readonly follows: { stopAtHead: boolean; fence: LogFence | null; ended: boolean }[] = [];
  follow(
    _from: number,
    opts: { signal?: AbortSignal; stopAtHead?: boolean },
  ): AsyncIterable<FollowItem> {
    const entry = { stopAtHead: opts.stopAtHead ?? false, fence: this.fence, ended: false };
    this.follows.push(entry);
    return (async function* () {
      if (!entry.stopAtHead) {
        await new Promise<void>((r) => opts.signal?.addEventListener("abort", () => r()));
      }
      entry.ended = true;
      yield* [];
    })();
  }
  setFence(fence: LogFence | null): void {
    this.fence = fence;
  }
}

/** An election the test decides: each campaign waits until `win()`. */
class FakeElection implements HaElection {
  readonly campaigns: { signal: AbortSignal; win: () => AbortController }[] = [];
  resigned = 0;
  /** How many resignations fail (etcd does not answer) before one succeeds. */
  failResigns = 0;
  announce: (l: HaLeaderInfo) => void = () => {};
  campaign(value: string, signal: AbortSignal): Promise<HaTerm> {
    return new Promise((resolve, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      this.campaigns.push({
        signal,
        win: () => {
          const lost = new AbortController();
          resolve({
            fence: { key: `/l/${value}`, createRevision: this.campaigns.length },
            lost: lost.signal,
            resign: () => {
              if (this.failResigns > 0) {
                this.failResigns--;
                return Promise.reject(new Error("etcd did not answer"));
              }
              this.resigned++;
              return Promise.resolve();
            },
          });
          return lost;
        },
      });
    });
  }
  observe(signal: AbortSignal, onLeader: (l: HaLeaderInfo) => void): Promise<void> {
    this.announce = onLeader;
    onLeader({ addr: "10.0.0.9:4647" });
    return new Promise((r) => signal.addEventListener("abort", () => r(), { once: true }));
  }
}

/** Member records in memory; `down` makes every call fail (no majority). */
class FakeMembers implements HaMembers {
  readonly records = new Map<string, { value: string; alive: boolean; beat?: string }>();
  isBootstrapped = false;
  down = false;
  #check(): void {
    if (this.down) throw new Error("etcd has no majority");
  }
  join(id: string, value: string, signal: AbortSignal, beat: () => string): Promise<void> {
    this.#check();
    this.records.set(id, { value, alive: true, beat: beat() });
    return new Promise((r) =>
      signal.addEventListener("abort", () => {
        this.records.set(id, { value, alive: false });
        r();
      }, { once: true })
    );
  }
  members(): Promise<HaMemberRecord[]> {
    this.#check();
    return Promise.resolve([...this.records].map(([id, r]) => ({ id, ...r })));
  }
  setMember(id: string, value: string): Promise<void> {
    this.records.set(id, { value, alive: this.records.get(id)?.alive ?? false });
    return Promise.resolve();
  }
  removeMember(id: string): Promise<boolean> {
    if (this.records.get(id)?.alive) return Promise.resolve(false);
    return Promise.resolve(this.records.delete(id));
  }
  bootstrapped(): Promise<boolean> {
    this.#check();
    return Promise.resolve(this.isBootstrapped);
  }
  markBootstrapped(): Promise<void> {
    this.isBootstrapped = true;
    return Promise.resolve();
  }
  backendHealth(): Promise<BackendHealth> {
    return Promise.resolve({ kind: "fake", members: [], failureTolerance: this.down ? -1 : 1 });
  }
}

function setup(opts: { bootstrapExpect?: number; now?: () => number } = {}) {
  const log = new FakeLog();
  const election = new FakeElection();
  const members = new FakeMembers();
  const writes = new AbortController();
  const leader = { started: 0, stopped: 0 };
  const loop = new HaLoop({
    store: {
      index: 0,
      get writeFailed() {
        return writes.signal;
      },
      follow: async (items) => {
        for await (const _ of items) { /* none */ }
      },
    },
    log,
    election,
    members,
    member: { id: "s1.global", value: "{}" },
    membersEveryMs: 5,
    ...opts,
    leader: {
      start: () => void leader.started++,
      stop: () => {
        leader.stopped++;
        return Promise.resolve();
      },
    },
    rpcAddr: "10.0.0.1:4647",
    logger: SILENT_LOGGER,
    retryMs: 5,
  });
  return { log, election, members, leader, loop, writes };
}

Deno.test("HaLoop follows until elected, then fences, catches up and leads until the term ends", async () => {
  const { log, election, leader, loop } = setup();
  loop.start();
  try {
    await until(() => election.campaigns.length === 1, "the first campaign");
    assertEquals(loop.isLeader(), false);
    assertEquals(loop.leaderAddr(), "10.0.0.9:4647", "a follower knows the observed leader");
    await until(() => loop.members().length === 1, "its own record");
    assertEquals(leader.started, 0, "a follower runs no loops");
    assertEquals(log.follows.map((f) => [f.stopAtHead, f.ended]), [[false, false]]);

    const lost = election.campaigns[0]!.win();
    await until(() => loop.isLeader(), "leadership");
    assertEquals(leader.started, 1);
    assertEquals(log.fence, { key: "/l/10.0.0.1:4647", createRevision: 1 });
    assertEquals(
      log.follows.map((f) => [f.stopAtHead, f.ended, f.fence !== null]),
      [[false, true, false], [true, true, true]],
      "stops following, then catches up to the head with the fence set",
    );
    assertEquals([loop.leaderAddr(), loop.lastContactMs()], ["10.0.0.1:4647", 0]);

    lost.abort();
    await until(() => election.campaigns.length === 2, "the next campaign");
    assertEquals([loop.isLeader(), leader.stopped, log.fence], [false, 1, null]);
    assert(!log.follows[2]!.stopAtHead && !log.follows[2]!.ended, "follows again");
  } finally {
    await loop.stop();
  }
  assert(election.campaigns[1]!.signal.aborted, "stop() withdraws the candidacy");
  assertEquals(
    [leader.started, leader.stopped, election.resigned],
    [1, 1, 1],
    "a lost term's lease is revoked too",
  );
  assert(log.follows.every((f) => f.ended), "stop() ends the follow");
});

Deno.test("HaLoop.stop() on the leader stops the loops, drops the fence and resigns", async () => {
  const { log, election, leader, loop } = setup();
  loop.start();
  await until(() => election.campaigns.length === 1, "the campaign");
  election.campaigns[0]!.win();
  await until(() => loop.isLeader(), "leadership");
  await loop.stop();
  assertEquals([loop.isLeader(), leader.stopped, election.resigned, log.fence], [
    false,
    1,
    1,
    null,
  ]);
  assertEquals(election.campaigns.length, 1, "no campaign after stop()");
});

Deno.test("HaLoop steps down at once when it sees a later term than its own", async () => {
  const { log, election, leader, loop } = setup();
  loop.start();
  try {
    await until(() => election.campaigns.length === 1, "the campaign");
    election.campaigns[0]!.win();
    await until(() => loop.isLeader(), "leadership");
    election.announce({ addr: "10.0.0.1:4647", rev: 1 });
    assertEquals(loop.isLeader(), true, "its own term does not depose it");
    election.announce({ addr: "10.0.0.2:4647", rev: 5 });
    await until(() => election.campaigns.length === 2, "the next campaign");
    assertEquals([loop.isLeader(), leader.stopped, election.resigned, log.fence], [
      false,
      1,
      1,
      null,
    ]);
    assertEquals(loop.leaderAddr(), "10.0.0.2:4647");
  } finally {
    await loop.stop();
  }
});

Deno.test("HaLoop waits for bootstrap_expect live servers before the region's first campaign", async () => {
  const { election, members, loop } = setup({ bootstrapExpect: 3 });
  members.records.set("s2.global", { value: "{}", alive: true });
  members.records.set("s3.global", { value: "{}", alive: false });
  loop.start();
  try {
    await until(() => loop.members().length === 3, "the records");
    await new Promise((r) => setTimeout(r, 30));
    assertEquals(election.campaigns.length, 0, "two of three servers alive: no campaign");
    members.records.set("s3.global", { value: "{}", alive: true });
    await until(() => election.campaigns.length === 1, "the campaign once three are alive");
    election.campaigns[0]!.win();
    await until(() => members.isBootstrapped, "the leader to mark the region bootstrapped");
  } finally {
    await loop.stop();
  }
  assertEquals(members.records.get("s1.global")?.alive, false, "stop() ends its liveness");
});

Deno.test("HaLoop campaigns at once in a bootstrapped region, however few servers live", async () => {
  const { election, members, loop } = setup({ bootstrapExpect: 3 });
  members.isBootstrapped = true;
  loop.start();
  try {
    await until(() => election.campaigns.length === 1, "the campaign");
  } finally {
    await loop.stop();
  }
});

Deno.test("a follower that cannot reach a majority stops claiming a leader after STALE_AFTER_MS", async () => {
  let now = 1_000_000;
  const { members, loop } = setup({ now: () => now });
  loop.start();
  try {
    await until(() => loop.members().length === 1, "the first read");
    assertEquals([loop.leaderAddr(), loop.lastContactMs()], ["10.0.0.9:4647", 0]);
    members.down = true;
    now += STALE_AFTER_MS;
    await new Promise((r) => setTimeout(r, 20));
    assertEquals(loop.lastContactMs(), STALE_AFTER_MS, "last contact counts from the last read");
    assertEquals(loop.leaderAddr(), "10.0.0.9:4647", "still known at the limit");
    now += 1;
    assertEquals(loop.leaderAddr(), "", "past it, no leader is claimed");
    members.down = false;
    await until(() => loop.lastContactMs() === 0, "the next successful read");
    assertEquals(loop.leaderAddr(), "10.0.0.9:4647");
  } finally {
    await loop.stop();
  }
});

Deno.test("a leader whose log write fails steps down, resigns and follows again", async () => {
  const { log, election, leader, loop, writes } = setup();
  loop.start();
  try {
    await until(() => election.campaigns.length === 1, "the campaign");
    election.campaigns[0]!.win();
    await until(() => loop.isLeader(), "leadership");
    writes.abort(new Error("etcd did not answer"));
    await until(() => election.campaigns.length === 2, "the next campaign");
    assertEquals([loop.isLeader(), leader.stopped, election.resigned, log.fence], [
      false,
      1,
      1,
      null,
    ]);
  } finally {
    await loop.stop();
  }
});

Deno.test("a term whose lease was lost is revoked again until etcd answers", async () => {
  const { election, loop } = setup();
  loop.start();
  try {
    await until(() => election.campaigns.length === 1, "the campaign");
    const lost = election.campaigns[0]!.win();
    await until(() => loop.isLeader(), "leadership");
    election.failResigns = 2;
    lost.abort();
    await until(() => election.resigned === 1, "the lease revoked at the third try");
    assertEquals(election.failResigns, 0);
  } finally {
    await loop.stop();
  }
});
