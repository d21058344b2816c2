/**
 * The alloc runner: runs one allocation's tasks (a task runner each, started by lifecycle),
 * reacts to their states as Nomad's does — a failed task or a dead leader kills the others,
 * sidecars are killed once only they remain — and reports the allocation to the servers:
 * `ClientStatus` and `ClientDescription` from its task states ("Tasks are running", "All tasks
 * have completed", "Failed tasks", "No tasks have started"), and its deployment health.
 *
 * `update` takes a newer version from the servers (a desired stop or evict kills the tasks:
 * the leader first, then the others, sidecars last, then poststop tasks run); `destroy` kills
 * everything and removes the allocation's directory and records; `shutdown` leaves the tasks
 * running.
 *
 * @module
 */
import {
  type Allocation,
  type AllocDeploymentStatus,
  AllocDeploymentStatusSpec,
  type TaskState,
} from "../structs/alloc.ts";
import type { Task } from "../structs/task.ts";
import { zero, ZERO_TIME } from "../structs/schema.ts";
import type { AllocUpdate } from "../rpc/mod.ts";
import { AllocHealthWatcher, healthParams } from "./_alloc_health.ts";
import { errorMessage } from "./_common.ts";
import { isSidecar, TaskCoordinator, taskKind } from "./_lifecycle.ts";
import type { PersistedTask } from "./_state_db.ts";
import type { TaskRunnerEnv } from "./_task_env.ts";
import { DEFAULT_KILL_TIMEOUT } from "./_task_setup.ts";
import { TaskRunner } from "./_task_runner.ts";
import { AllocDir } from "./allocdir.ts";
import { newTaskEvent, rfc3339, TaskEventType as T } from "./events.ts";
import { lookupTaskGroup } from "./taskenv.ts";

/** What an alloc runner is given by the client. */
export type AllocRunnerEnv =
  & Omit<TaskRunnerEnv, "allocDir" | "waitToStart" | "onStateChange">
  & {
    /** The client's allocation directory (`<data_dir>/alloc`). */
    readonly allocRoot: string;
    /** Queues a report for the servers. */
    report(update: AllocUpdate): void;
  };

/** Nomad's `getClientStatus`: the allocation's status from its tasks' states. */
export function clientStatusOf(
  states: Iterable<TaskState>,
): { status: string; description: string } {
  let pending = false, running = false, dead = false, failed = false;
  for (const s of states) {
    if (s.State === "running") running = true;
    else if (s.State === "pending") pending = true;
    else if (s.State === "dead") {
      if (s.Failed) failed = true;
      else dead = true;
    }
  }
  if (failed) return { status: "failed", description: "Failed tasks" };
  if (running) return { status: "running", description: "Tasks are running" };
  if (pending) return { status: "pending", description: "No tasks have started" };
  if (dead) return { status: "complete", description: "All tasks have completed" };
  return { status: "pending", description: "No tasks have started" };
}

/** Runs one allocation. */
export class AllocRunner {
  /** The allocation's ID. */
  readonly id: string;
  /** Its directory. */
  readonly dir: AllocDir;
  readonly #env: AllocRunnerEnv;
  #alloc: Allocation;
  readonly #tasks = new Map<string, TaskRunner>();
  readonly #coordinator: TaskCoordinator;
  #health: AllocHealthWatcher | null = null;
  #deploymentStatus: AllocDeploymentStatus | null;
  #forced: { status: string; description: string } | null = null;
  #killing: Promise<void> | null = null;
  #reaping = false;
  #syncQueued = false;
  #last: AllocUpdate | null = null;

  /**
   * @param persisted The task records of a restored allocation (absent for a new one).
   */
  constructor(
    env: AllocRunnerEnv,
    alloc: Allocation,
    opts: { deploymentStatus?: AllocDeploymentStatus | null; tasks?: Map<string, PersistedTask> },
  ) {
    this.#env = env;
    this.id = alloc.ID;
    this.#alloc = alloc;
    this.#deploymentStatus = opts.deploymentStatus ?? null;
    this.dir = new AllocDir(env.allocRoot, alloc.ID);
    const group = lookupTaskGroup(alloc.Job, alloc.TaskGroup);
    const tasks: Task[] = group?.Tasks ?? [];
    if (group === undefined) {
      this.#forced = {
        status: "failed",
        description: `task group "${alloc.TaskGroup}" does not exist in job "${alloc.JobID}"`,
      };
    }
    this.#coordinator = new TaskCoordinator(tasks);
    const taskEnv: TaskRunnerEnv = {
      ...env,
      allocDir: this.dir,
      waitToStart: (name, signal) => this.#coordinator.waitToStart(name, signal),
      onStateChange: () => this.#queueSync(),
    };
    for (const t of tasks) {
      this.#tasks.set(t.Name, new TaskRunner(taskEnv, alloc, t, opts.tasks?.get(t.Name) ?? null));
    }
  }

  /** The allocation as the servers last sent it. */
  get alloc(): Allocation {
    return this.#alloc;
  }

  /** The task runners by task name. */
  get tasks(): ReadonlyMap<string, TaskRunner> {
    return this.#tasks;
  }

  /** The last report made. */
  get lastReport(): AllocUpdate | null {
    return this.#last;
  }

  /** Whether every task is dead (the allocation is complete or failed). */
  get terminal(): boolean {
    const { status } = this.#status(this.#states());
    return status === "complete" || status === "failed";
  }

  /** Writes the allocation's record. */
  persist(): Promise<void> {
    return this.#env.db.putAlloc({
      alloc: this.#alloc,
      deploymentStatus: this.#deploymentStatus,
    });
  }

  /** Builds the allocation directory and starts the task runners. */
  async run(): Promise<void> {
    try {
      await this.dir.build();
    } catch (err) {
      this.#forced = {
        status: "failed",
        description: `failed to build the allocation directory: ${errorMessage(err)}`,
      };
    }
    this.#watchHealth();
    if (this.#forced === null) { for (const tr of this.#tasks.values()) void tr.run(); }
    this.#sync();
  }

  #watchHealth(): void {
    this.#health?.stop();
    this.#health = null;
    const ds = this.#deploymentStatus;
    if (ds !== null && ds.Healthy !== null) return;
    const params = healthParams(this.#alloc);
    if (params === null || this.#desiredStop()) return;
    this.#health = new AllocHealthWatcher(this.#alloc, params, (healthy) => {
      this.#deploymentStatus = {
        ...(this.#alloc.DeploymentStatus ?? zero(AllocDeploymentStatusSpec)),
        Healthy: healthy,
        Timestamp: rfc3339(this.#env.clock.now()),
      };
      this.#env.logger.info("allocation health set", { alloc_id: this.id, healthy });
      void this.persist().catch(() => {});
      this.#queueSync();
    });
  }

  #desiredStop(): boolean {
    return this.#alloc.DesiredStatus === "stop" || this.#alloc.DesiredStatus === "evict";
  }

  #states(): Map<string, TaskState> {
    return new Map([...this.#tasks].map(([n, tr]) => [n, tr.state]));
  }

  #status(states: Map<string, TaskState>): { status: string; description: string } {
    return this.#forced ?? clientStatusOf(states.values());
  }

  #queueSync(): void {
    if (this.#syncQueued) return;
    this.#syncQueued = true;
    queueMicrotask(() => {
      this.#syncQueued = false;
      this.#sync();
    });
  }

  /** Reacts to the tasks' states and reports the allocation (Nomad's task state handler). */
  #sync(): void {
    const states = this.#states();
    let killEvent = null;
    const live: TaskRunner[] = [];
    for (const [name, tr] of this.#tasks) {
      if (taskKind(tr.task) === "poststop") continue;
      const s = states.get(name)!;
      if (s.State !== "dead") {
        live.push(tr);
        continue;
      }
      if (s.Failed) killEvent ??= newTaskEvent(T.SiblingFailed, { failedSibling: name });
      else if (tr.isLeader) killEvent = newTaskEvent(T.LeaderDead);
    }
    if (live.length > 0) {
      const sidecars = [...this.#tasks.values()].some((tr) => isSidecar(tr.task));
      if (killEvent === null && sidecars && live.every((tr) => isSidecar(tr.task))) {
        killEvent = newTaskEvent(T.MainDead);
      }
      if (killEvent !== null && this.#killing === null) {
        for (const tr of live) void tr.emitEvent(killEvent);
        this.#killing = this.#killTasks();
      }
    } else if (!this.#reaping) {
      // Every task is dead: release the runners waiting for an allocation restart.
      this.#reaping = true;
      for (const tr of this.#tasks.values()) {
        if (taskKind(tr.task) !== "poststop") void tr.kill(null);
      }
    }
    this.#coordinator.update(states);
    const status = this.#status(states);
    this.#health?.observe(states, status.status);
    this.#report(states, status);
  }

  #report(states: Map<string, TaskState>, st: { status: string; description: string }): void {
    let ds = this.#deploymentStatus;
    const taskStates: Record<string, TaskState> = Object.fromEntries(states);
    if (st.status === "complete" || st.status === "failed") {
      if (st.status === "failed" && this.#alloc.DeploymentID !== "" && ds?.Healthy == null) {
        ds = { ...zero(AllocDeploymentStatusSpec), Healthy: false };
      }
      const now = rfc3339(this.#env.clock.now());
      for (const [name, s] of Object.entries(taskStates)) {
        if (s.FinishedAt === ZERO_TIME) taskStates[name] = { ...s, FinishedAt: now };
      }
    }
    const update: AllocUpdate = {
      ID: this.id,
      NodeID: this.#env.node().ID,
      ClientStatus: st.status,
      ClientDescription: st.description,
      TaskStates: taskStates,
      DeploymentStatus: ds,
      NetworkStatus: null,
      ModifyTime: this.#env.clock.now() * 1_000_000,
    };
    this.#last = update;
    this.#env.report(update);
  }

  /** Kills the tasks in Nomad's order: the leader, then the others, then sidecars. */
  async #killTasks(): Promise<void> {
    const kill = (tr: TaskRunner) => {
      const s = tr.state;
      const event = s.FinishedAt !== ZERO_TIME ? null : newTaskEvent(T.Killing, {
        killTimeout: tr.task.KillTimeout ?? DEFAULT_KILL_TIMEOUT,
        maxKillTimeout: this.#env.maxKillTimeout,
      });
      return tr.kill(event).catch((err) =>
        this.#env.logger.warn("error stopping task", {
          alloc_id: this.id,
          task: tr.name,
          error: errorMessage(err),
        })
      );
    };
    const runners = [...this.#tasks.values()].filter((tr) => taskKind(tr.task) !== "poststop");
    const leader = runners.find((tr) => tr.isLeader);
    if (leader) await kill(leader);
    await Promise.all(runners.filter((tr) => tr !== leader && !isSidecar(tr.task)).map(kill));
    await Promise.all(runners.filter((tr) => tr !== leader && isSidecar(tr.task)).map(kill));
  }

  /** Takes a newer version of the allocation from the servers. */
  async update(alloc: Allocation): Promise<void> {
    if (alloc.AllocModifyIndex < this.#alloc.AllocModifyIndex) return;
    // The servers marked it unknown while this client was cut off: it is back (Nomad's
    // `Reconnect`), and the status reported below tells them it runs.
    const reconnected = alloc.ClientStatus === "unknown" && alloc.DesiredStatus === "run" &&
      alloc.AllocModifyIndex > this.#alloc.AllocModifyIndex;
    const deploymentChanged = alloc.DeploymentID !== this.#alloc.DeploymentID;
    this.#alloc = alloc;
    if (deploymentChanged) this.#deploymentStatus = null;
    await this.persist();
    if (reconnected) {
      await Promise.all(
        [...this.#tasks.values()].map((tr) => tr.emitEvent(newTaskEvent(T.ClientReconnected))),
      );
    }
    for (const tr of this.#tasks.values()) tr.update(alloc);
    if (this.#desiredStop()) {
      this.#health?.stop();
      this.#health = null;
      this.#killing ??= this.#killTasks();
    } else if (deploymentChanged) {
      this.#watchHealth();
    }
    this.#queueSync();
  }

  /**
   * Stops the tasks on the client's own decision (`stop_on_client_after`: the servers have been
   * out of reach that long). The allocation stays, complete, until the servers say more.
   */
  stopDisconnected(): Promise<void> {
    this.#health?.stop();
    this.#health = null;
    this.#killing ??= this.#killTasks();
    return this.#killing;
  }

  /** Whether the tasks are being (or were) stopped. */
  get stopping(): boolean {
    return this.#killing !== null;
  }

  /** Kills every task, waits for the runners, and removes the directory and records. */
  async destroy(): Promise<void> {
    this.#health?.stop();
    this.#killing ??= this.#killTasks();
    await this.#killing;
    await Promise.all([...this.#tasks.values()].map((tr) => tr.kill(null)));
    await Promise.all([...this.#tasks.values()].map((tr) => tr.destroy()));
    await this.dir.destroy();
    await this.#env.db.deleteAlloc(this.id);
  }

  /** Stops the runners, leaving the tasks running (agent shutdown). */
  async shutdown(): Promise<void> {
    this.#health?.stop();
    await Promise.all([...this.#tasks.values()].map((tr) => tr.shutdown()));
  }

  /** The task runner named `task`, or `undefined`. */
  task(task: string): TaskRunner | undefined {
    return this.#tasks.get(task);
  }
}
