/**
 * Bin packing (Nomad's BinPackIterator): on each feasible node, assign the group's ports and
 * the tasks' CPU, memory, cores and legacy task networks, check that everything fits with the
 * proposed allocations, and score the fit with binpack or spread.
 *
 * With a {@link Preemptor} set (Nomad's `evict`), a node the group does not fit is given a
 * second chance: the preemptor picks lower-priority allocations to evict there, and the group
 * is packed again as if they were gone; the ranked node then lists them in `preempted`.
 *
 * @module
 */
import type {
  AllocatedPortMapping,
  AllocatedResources,
  AllocatedTaskResources,
  Allocation,
  NetworkResource,
  Node,
  ServerNetwork,
  TaskGroup,
} from "../structs/mod.ts";
import { resolveTarget } from "./constraints.ts";
import type { CheckContext } from "./feasible.ts";
import { networkBase } from "./network.ts";
import { allocatedPortsToNetwork, NetworkIndex } from "./network_index.ts";
import {
  exhaustedDimension,
  flattenTasks,
  type NodeCapacity,
  scoreFitBinPack,
  scoreFitSpread,
  type TaskUse,
  type Utilization,
} from "./resources.ts";
import { computeUsage, type NodeUsage, type UsageCache } from "./resources_usage.ts";
import { preemptionAsk, type Preemptor, selectPreemptions } from "./preemption.ts";

/** The maximum fit score; fit scores are divided by it. */
export const BIN_PACKING_MAX_FIT_SCORE = 18;

/** What one task gets on a candidate node. */
interface TaskOffer extends TaskUse {
  readonly name: string;
  readonly memoryMax: number;
  readonly network: ServerNetwork | null;
}

/** What packing a group on a node gave, kept until the node's allocations change. */
interface Packed {
  readonly score: number;
  readonly tasks: readonly TaskOffer[];
  readonly groupAsk: NetworkResource | null;
  readonly ports: AllocatedPortMapping[] | null;
}

/** A candidate node with its scores and the resources the allocation would get there. */
export interface RankedNode {
  readonly node: Node;
  /** What the node's proposed allocations use. */
  readonly usage: NodeUsage;
  /** The scores of each scorer that had something to say, averaged into `finalScore`. */
  readonly scores: number[];
  finalScore: number;
  readonly tasks: readonly TaskOffer[];
  /** The group network ask (host networks resolved) and the ports offered for it. */
  readonly groupAsk: NetworkResource | null;
  readonly ports: AllocatedPortMapping[] | null;
  /** The allocations to evict for the group to fit, when it fits only by preemption. */
  readonly preempted?: readonly Allocation[];
}

/** Scores a node's utilization in [0, 18]. */
export type ScoreFit = (cap: NodeCapacity, util: Utilization) => number;

/** Assigns resources on candidate nodes and scores the fit. */
export class BinPacker {
  readonly #ctx: CheckContext;
  readonly #usage: UsageCache;
  readonly #random: () => number;
  #scoreFit: ScoreFit = scoreFitBinPack;
  #oversubscription = false;
  #tg: TaskGroup | null = null;
  #preemptor: Preemptor | null = null;
  /** The group network ask when none of its ports names a host network by template. */
  #staticAsk: NetworkResource | null = null;
  /** Whether a task asks for a legacy task network (then group ports must be marked used). */
  #taskNetworks = false;
  #packed = new WeakMap<NodeUsage, { tg: TaskGroup; result: Packed | string | null }>();
  readonly #prepared = new WeakMap<
    TaskGroup,
    { staticAsk: NetworkResource | null; taskNetworks: boolean }
  >();

  constructor(ctx: CheckContext, usage: UsageCache, random: () => number) {
    this.#ctx = ctx;
    this.#usage = usage;
    this.#random = random;
  }

  /** Applies the scheduler configuration: `spread` or `binpack`, memory oversubscription. */
  configure(algorithm: string, memoryOversubscription: boolean): void {
    this.#scoreFit = algorithm === "spread" ? scoreFitSpread : scoreFitBinPack;
    this.#oversubscription = memoryOversubscription;
    this.#packed = new WeakMap();
  }

  /**
   * Lets the following placements preempt lower-priority allocations for `preemptor`'s job
   * (Nomad's `evict`), or not (null).
   */
  setPreemptor(preemptor: Preemptor | null): void {
    this.#preemptor = preemptor;
  }

  /** Sets the group to place. */
  setGroup(tg: TaskGroup): void {
    this.#tg = tg;
    let prep = this.#prepared.get(tg);
    if (prep === undefined) {
      const ask = tg.Networks?.[0];
      const templated = (p: { HostNetwork: string }) => p.HostNetwork.startsWith("${");
      const staticAsk = ask === undefined ||
          [...(ask.DynamicPorts ?? []), ...(ask.ReservedPorts ?? [])].some(templated)
        ? null
        : this.#resolveAsk(ask, null) ?? null;
      const taskNetworks = (tg.Tasks ?? []).some((t) => (t.Resources?.Networks ?? []).length > 0);
      prep = { staticAsk, taskNetworks };
      this.#prepared.set(tg, prep);
    }
    this.#staticAsk = prep.staticAsk;
    this.#taskNetworks = prep.taskNetworks;
  }

  #resolveAsk(ask: NetworkResource, node: Node | null): NetworkResource | undefined {
    const resolve = (ports: NetworkResource["DynamicPorts"]) => {
      if (ports === null) return null;
      const out = [];
      for (const p of ports) {
        if (p.HostNetwork === "") {
          out.push({ ...p, HostNetwork: "default" });
          continue;
        }
        const hn = node === null ? p.HostNetwork : resolveTarget(p.HostNetwork, node);
        if (hn === undefined) return undefined;
        out.push({ ...p, HostNetwork: hn });
      }
      return out;
    };
    const dynamic = resolve(ask.DynamicPorts);
    const reserved = resolve(ask.ReservedPorts);
    if (dynamic === undefined || reserved === undefined) return undefined;
    return { ...ask, DynamicPorts: dynamic, ReservedPorts: reserved };
  }

  /**
   * Ranks one feasible node, or returns null (recording the exhausted dimension) when the
   * group does not fit there. A node's result is reused until its proposed allocations change
   * (the offer, random ports included, stays valid while nothing else lands there).
   */
  rank(node: Node): RankedNode | null {
    const tg = this.#tg;
    if (tg === null) throw new TypeError("BinPacker.rank() needs a task group: call setGroup()");
    const usage = this.#usage.usage(node);
    let packed = this.#packed.get(usage);
    if (packed === undefined || packed.tg !== tg) {
      packed = { tg, result: this.#pack(node, usage, tg) };
      this.#packed.set(usage, packed);
    }
    const result = packed.result;
    if (result === null) return null;
    if (typeof result === "string") {
      const preempting = this.#preemptor === null ? null : this.#preempt(node, usage, tg);
      if (preempting === null) this.#ctx.metrics.exhaustedNode(node, result);
      return preempting;
    }
    this.#ctx.metrics.scoreNode(node, "binpack", result.score);
    return {
      node,
      usage,
      scores: [result.score],
      finalScore: 0,
      tasks: result.tasks,
      groupAsk: result.groupAsk,
      ports: result.ports,
    };
  }

  /** Packs the group on a node once the allocations the preemptor chose are gone, if it can. */
  #preempt(node: Node, usage: NodeUsage, tg: TaskGroup): RankedNode | null {
    if (usage.ports.base.error !== null) return null;
    const evict = selectPreemptions(usage, preemptionAsk(tg, usage.cap.coreMhz), this.#preemptor!);
    if (evict === null) return null;
    const gone = new Set(evict.map((a) => a.ID));
    const rest = computeUsage(node, usage.allocs.filter((a) => !gone.has(a.ID)));
    const result = this.#pack(node, rest, tg);
    if (result === null || typeof result === "string") return null;
    this.#ctx.metrics.scoreNode(node, "binpack", result.score);
    return {
      node,
      usage: rest,
      scores: [result.score],
      finalScore: 0,
      tasks: result.tasks,
      groupAsk: result.groupAsk,
      ports: result.ports,
      preempted: evict,
    };
  }

  /** Packs the group on a node: the offer, the exhausted dimension, or null (bad template). */
  #pack(node: Node, usage: NodeUsage, tg: TaskGroup): Packed | string | null {
    if (usage.ports.base.error !== null) return "network: invalid node";
    if (usage.ports.collision !== null) return "network: port collision";
    const idx = new NetworkIndex(usage.ports, this.#random);
    let groupAsk: NetworkResource | null = null;
    let ports: AllocatedPortMapping[] | null = null;
    const rawAsk = tg.Networks?.[0];
    if (rawAsk !== undefined) {
      const ask = this.#staticAsk ?? this.#resolveAsk(rawAsk, node);
      if (ask === undefined) return null;
      const offer = idx.assignPorts(ask);
      if (offer.ok === undefined) return `network: ${offer.error}`;
      if (this.#taskNetworks) idx.addReservedPorts(offer.ok);
      groupAsk = ask;
      ports = offer.ok;
    }
    const cap = usage.cap;
    const tasks: TaskOffer[] = [];
    let taken: Set<number> | null = null;
    for (const task of tg.Tasks ?? []) {
      const r = task.Resources;
      const secrets = r?.SecretsMB ?? 0;
      let memoryMax = 0;
      if (this.#oversubscription) {
        const max = r?.MemoryMaxMB ?? 0;
        if (max > 0) memoryMax = max + secrets;
        else if (max === -1) memoryMax = -1;
      }
      let network: ServerNetwork | null = null;
      const taskAsk = r?.Networks?.[0];
      if (taskAsk !== undefined) {
        const offer = idx.assignTaskNetwork(taskAsk);
        if (offer.ok === undefined) return `network: ${offer.error}`;
        idx.addReserved(offer.ok);
        network = offer.ok;
      }
      let cpu = r?.CPU ?? 0;
      let cores: number[] = [];
      const wanted = r?.Cores ?? 0;
      if (wanted > 0) {
        taken ??= new Set(usage.cores);
        const used = taken;
        const free = [...(cap.cores ?? [])].filter((c) => !used.has(c)).sort((a, b) => a - b);
        if (free.length < wanted) return "cores";
        cores = free.slice(0, wanted);
        for (const c of cores) taken.add(c);
        cpu = cores.length * cap.coreMhz;
      }
      tasks.push({
        name: task.Name,
        cpu,
        memory: (r?.MemoryMB ?? 0) + secrets,
        memoryMax,
        cores,
        network,
        hook: task.Lifecycle?.Hook ?? null,
        sidecar: task.Lifecycle?.Sidecar ?? false,
      });
    }
    const ask = flattenTasks(tasks, tg.EphemeralDisk?.SizeMB ?? 0);
    const util: Utilization = {
      cpu: usage.util.cpu + ask.cpu,
      memory: usage.util.memory + ask.memory,
      disk: usage.util.disk + ask.disk,
    };
    const cores = taken ?? usage.cores;
    const dimension = exhaustedDimension(cap, util, cores, usage.coreOverlap, usage.count + 1);
    if (dimension !== "") return dimension;
    const score = this.#scoreFit(cap, util) / BIN_PACKING_MAX_FIT_SCORE;
    return { score, tasks, groupAsk, ports };
  }
}

/** The resources an allocation gets from a ranked node (the Selection's `resources`). */
export function allocatedResources(ranked: RankedNode, tg: TaskGroup): AllocatedResources {
  const tasks: Record<string, AllocatedTaskResources> = {};
  const lifecycles: NonNullable<AllocatedResources["TaskLifecycles"]> = {};
  for (const t of ranked.tasks) {
    tasks[t.name] = {
      Cpu: { CpuShares: t.cpu, ReservedCores: t.cores.length > 0 ? [...t.cores] : null },
      Memory: { MemoryMB: t.memory, MemoryMaxMB: t.memoryMax },
      Networks: t.network === null ? null : [copyNetwork(t.network)],
      Devices: null,
    };
    if (t.hook !== null) lifecycles[t.name] = { Hook: t.hook, Sidecar: t.sidecar };
  }
  const ask = ranked.groupAsk;
  const network = ask === null
    ? null
    : allocatedPortsToNetwork(ask, ranked.ports ?? [], networkBase(ranked.node));
  return {
    Tasks: tasks,
    TaskLifecycles: lifecycles,
    Shared: {
      Networks: network === null ? null : [network],
      DiskMB: tg.EphemeralDisk?.SizeMB ?? 0,
      Ports: ranked.ports === null ? null : ranked.ports.map((p) => ({ ...p })),
    },
  };
}

function copyNetwork(n: ServerNetwork): ServerNetwork {
  return {
    ...n,
    DNS: n.DNS === null ? null : { ...n.DNS },
    ReservedPorts: n.ReservedPorts === null ? null : n.ReservedPorts.map((p) => ({ ...p })),
    DynamicPorts: n.DynamicPorts === null ? null : n.DynamicPorts.map((p) => ({ ...p })),
    CNI: n.CNI === null ? null : { ...n.CNI },
  };
}
