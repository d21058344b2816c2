/**
 * The state log on etcd next to Deno KV, in the same run:
 * - the server path (`bench/server_bench.ts`: jobs of count 1,000 over 1,000 and 5,000 nodes,
 *   until every allocation is persisted) on Deno KV and on one etcd member, placements/s side
 *   by side with their ratio;
 * - append latency of one small record, and throughput of batches of 500;
 * - what compaction does to etcd's size: many appends and compactions (uncompressed) with
 *   etcd's history compacted after each snapshot, and without.
 *
 * `deno run -A bench/server_etcd_bench.ts` (a few minutes). Needs etcd (`etcd-server`).
 */
import { KvLogBackend, type LogBackend, type LogRecord } from "../core/state/mod.ts";
import { EtcdClient, EtcdLogBackend } from "../core/state/etcd/mod.ts";
import { ETCD_BIN, startEtcd } from "../core/state/etcd/etcd_testing.ts";
import { measure, type Row } from "./server_bench.ts";

const pad = (s: string | number, n: number) => String(s).padStart(n);

function record(index: number, size: number): LogRecord {
  const data = new Uint8Array(size);
  data.fill(index & 0xff);
  return { index, data };
}

async function* one(data: Uint8Array): AsyncGenerator<Uint8Array> {
  yield data;
}

/** Single appends (latency percentiles) and batches of 500 (records/s) on a fresh log. */
async function appendLatency(
  log: LogBackend,
): Promise<{ p50: number; p99: number; batchPerSec: number }> {
  await log.load();
  const times: number[] = [];
  let index = 0;
  for (let i = 0; i < 300; i++) {
    const t = performance.now();
    await log.append([record(++index, 1000)]);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const t = performance.now();
  for (let b = 0; b < 20; b++) {
    await log.append(Array.from({ length: 500 }, () => record(++index, 1000)));
  }
  const batchPerSec = 10_000 / ((performance.now() - t) / 1000);
  await log.close();
  return {
    p50: times[Math.floor(times.length * 0.5)] ?? 0,
    p99: times[Math.floor(times.length * 0.99)] ?? 0,
    batchPerSec,
  };
}

/** 40 rounds of 200 records of 10 KB and a 1 MB snapshot; etcd's sizes at the end. */
async function compactionEffect(compactHistory: boolean) {
  await using etcd = await startEtcd();
  const client = new EtcdClient({ endpoints: etcd.endpoints });
  try {
    // Uncompressed, so that the bytes written are the bytes etcd stores.
    const log = new EtcdLogBackend({ client, prefix: "/c", compactHistory, compress: false });
    await log.load();
    let index = 0;
    for (let round = 0; round < 40; round++) {
      await log.append(Array.from({ length: 200 }, () => record(++index, 10_000)));
      await log.compact(index, one(new Uint8Array(1_000_000).fill(round)));
    }
    // Let etcd finish its physical compaction.
    await new Promise((r) => setTimeout(r, 1000));
    const [s] = await client.status();
    if (s?.status !== "fulfilled") throw new Error("Cannot read etcd's status");
    return {
      written: 40 * (200 * 10_000 + 1_000_000),
      dbSize: s.value.dbSize,
      inUse: s.value.dbSizeInUse,
    };
  } finally {
    client.close();
  }
}

if (import.meta.main) {
  if (ETCD_BIN === undefined) {
    console.log("etcd is not installed (apt-get install etcd-server): skipping the etcd benchmark");
    Deno.exit(0);
  }
  const rows: [Row, Row][] = [];
  for (const nodes of [1_000, 5_000]) {
    rows.push([await measure(nodes, "kv", false), await measure(nodes, "etcd", false)]);
  }
  console.log(
    "server path: registerJob() of count-1,000 jobs to persisted allocations (set_contains_any)",
  );
  console.log(
    `${pad("nodes", 6)}${pad("jobs", 6)}${pad("KV pl/s", 10)}${pad("etcd pl/s", 11)}${
      pad("etcd/KV", 9)
    }`,
  );
  for (const [kv, etcd] of rows) {
    console.log(
      `${pad(kv.nodes, 6)}${pad(kv.jobs, 6)}${pad(Math.round(kv.serverPerSec), 10)}${
        pad(Math.round(etcd.serverPerSec), 11)
      }${pad((etcd.serverPerSec / kv.serverPerSec).toFixed(2), 9)}`,
    );
  }

  const dir = await Deno.makeTempDir({ prefix: "nomad_etcd_bench_" });
  try {
    const kv = await appendLatency(await KvLogBackend.open(`${dir}/state.kv`));
    await using etcd = await startEtcd();
    const onEtcd = await appendLatency(
      new EtcdLogBackend({ endpoints: etcd.endpoints, prefix: "/a" }),
    );
    console.log("\nappend(): one 1 KB record (latency), batches of 500 (throughput)");
    console.log(`${"".padEnd(6)}${pad("p50 ms", 8)}${pad("p99 ms", 8)}${pad("records/s", 11)}`);
    for (const [name, r] of [["KV", kv], ["etcd", onEtcd]] as const) {
      console.log(
        `${name.padEnd(6)}${pad(r.p50.toFixed(2), 8)}${pad(r.p99.toFixed(2), 8)}${
          pad(Math.round(r.batchPerSec), 11)
        }`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }

  console.log("\netcd after 40 rounds of 2 MB of records + a 1 MB snapshot (88 MB written)");
  for (const history of [true, false]) {
    const r = await compactionEffect(history);
    console.log(
      `history compacted: ${String(history).padEnd(6)} db size ${
        (r.dbSize / 2 ** 20).toFixed(1)
      } MiB, in use ${(r.inUse / 2 ** 20).toFixed(1)} MiB`,
    );
  }
}
