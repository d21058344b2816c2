/**
 * A container's resource usage from Docker's stats stream, in Nomad's terms (as its docker
 * driver reports them on cgroups v1 and v2): memory RSS, cache, swap, usage and peak; CPU
 * percent (of one core), kernel and user mode, throttling, and MHz used.
 *
 * @module
 */
import type { TaskResourceUsage } from "../../plugins/sdk.ts";

/** The parts of a Docker stats sample the driver reads. */
export interface DockerStats {
  read?: string;
  cpu_stats?: {
    cpu_usage?: { total_usage?: number; usage_in_kernelmode?: number; usage_in_usermode?: number };
    system_cpu_usage?: number;
    online_cpus?: number;
    throttling_data?: { throttled_periods?: number; throttled_time?: number };
  };
  memory_stats?: {
    usage?: number;
    max_usage?: number;
    stats?: Record<string, number>;
  };
}

const MEASURED_MEM_V1 = ["RSS", "Cache", "Swap", "Usage", "Max Usage"];
const MEASURED_MEM_V2 = ["Cache", "Swap", "Usage"];
const MEASURED_CPU = ["Throttled Periods", "Throttled Time", "Percent"];

function percent(now: number, before: number, total: number, totalBefore: number, cores: number) {
  const d = total - totalBefore;
  return d > 0 && now >= before ? ((now - before) / d) * cores * 100 : 0;
}

/**
 * Converts a sample, with the previous one for CPU rates.
 *
 * @param s The sample.
 * @param prev The previous sample of the same container, or `null`.
 * @param mhzPerCore The clock of one core in MHz (0 when unknown), for `TotalTicks`.
 */
export function toUsage(
  s: DockerStats,
  prev: DockerStats | null,
  mhzPerCore: number,
): TaskResourceUsage {
  const mem = s.memory_stats ?? {};
  const st = mem.stats ?? {};
  const v1 = "rss" in st || mem.max_usage !== undefined;
  const cpu = s.cpu_stats ?? {};
  const pcpu = prev?.cpu_stats ?? {};
  const cores = cpu.online_cpus ?? 1;
  const sys = cpu.system_cpu_usage ?? 0;
  const psys = pcpu.system_cpu_usage ?? 0;
  const usage = cpu.cpu_usage ?? {};
  const pusage = pcpu.cpu_usage ?? {};
  const pct = prev ? percent(usage.total_usage ?? 0, pusage.total_usage ?? 0, sys, psys, cores) : 0;
  const ts = s.read ? Date.parse(s.read) : Date.now();
  return {
    ResourceUsage: {
      MemoryStats: {
        RSS: st.rss ?? st.anon ?? 0,
        Cache: st.cache ?? st.file ?? 0,
        Swap: st.swap ?? 0,
        Usage: mem.usage ?? 0,
        MaxUsage: mem.max_usage ?? 0,
        Measured: v1 ? MEASURED_MEM_V1 : MEASURED_MEM_V2,
      },
      CpuStats: {
        SystemMode: prev
          ? percent(
            usage.usage_in_kernelmode ?? 0,
            pusage.usage_in_kernelmode ?? 0,
            sys,
            psys,
            cores,
          )
          : 0,
        UserMode: prev
          ? percent(usage.usage_in_usermode ?? 0, pusage.usage_in_usermode ?? 0, sys, psys, cores)
          : 0,
        TotalTicks: (pct / 100) * mhzPerCore,
        ThrottledPeriods: cpu.throttling_data?.throttled_periods ?? 0,
        ThrottledTime: cpu.throttling_data?.throttled_time ?? 0,
        Percent: pct,
        Measured: MEASURED_CPU,
      },
    },
    Timestamp: (Number.isFinite(ts) ? ts : Date.now()) * 1_000_000,
    Pids: null,
  };
}
