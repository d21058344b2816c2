/**
 * Real etcd for tests: one member or a three-member cluster on loopback, with free ports and
 * temporary data directories, stopped by process id.
 *
 * etcd comes from Debian's `etcd-server` package (or `ETCD_BIN`). Where it is missing the
 * tests that need it are skipped with a message, except on CI (`CI=true`), where they fail.
 *
 * @example
 * ```ts
 * etcdTest("EtcdClient puts and reads a key", async () => {
 *   await using etcd = await startEtcd();
 *   const client = new EtcdClient({ endpoints: etcd.endpoints });
 *   ...
 * });
 * ```
 *
 * @module
 */
import { join } from "node:path";

export { TcpProxy } from "./tcp_proxy_testing.ts";

/** The etcd binary, or undefined when it is not installed. */
export const ETCD_BIN: string | undefined = findEtcd();

function findEtcd(): string | undefined {
  const env = Deno.env.get("ETCD_BIN");
  if (env) return env;
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    try {
      if (Deno.statSync(join(dir, "etcd")).isFile) return join(dir, "etcd");
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

const CI = Deno.env.get("CI") === "true";
let warned = false;

/**
 * Registers a test that needs etcd: skipped with a message when etcd is missing, failing
 * instead on CI. The test's sanitizers stay on.
 */
export function etcdTest(name: string, fn: (t: Deno.TestContext) => Promise<void>): void {
  const missing = ETCD_BIN === undefined;
  Deno.test({
    name,
    ignore: etcdMissing(),
    fn: async (t) => {
      if (missing) {
        throw new Error("Cannot test on etcd: it is not installed; apt-get install etcd-server");
      }
      await fn(t);
    },
  });
}

/**
 * A free TCP port on loopback, below the kernel's ephemeral range (12000-19999), so that a
 * stopped member's port is not handed to some outgoing connection before it restarts.
 */
export function freePort(): number {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 12000 + Math.floor(Math.random() * 8000);
    try {
      const l = Deno.listen({ hostname: "127.0.0.1", port });
      l.close();
      return port;
    } catch {
      // Taken: try another.
    }
  }
  throw new Error("Cannot find a free port between 12000 and 20000 on 127.0.0.1");
}

/** One running (or stopped) member. */
export class EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  #cluster = "";
  readonly #extra: readonly string[];
  #child: Deno.ChildProcess | undefined;

  readonly #tls: EtcdTlsFiles | undefined;

  constructor(name: string, dir: string, extra: readonly string[], tls?: EtcdTlsFiles) {
    this.name = name;
    this.#tls = tls;
    this.clientUrl = `${tls ? "https" : "http"}://127.0.0.1:${freePort()}`;
    this.peerUrl = `http://127.0.0.1:${freePort()}`;
    this.dataDir = join(dir, name);
    this.#extra = extra;
  }

  /** The member's process id while it runs. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /**
   * Starts the process with the `--initial-cluster` list (again, on the same data directory,
   * after a stop).
   */
  start(cluster?: string): void {
    if (this.#child) throw new Error(`etcd member ${this.name} is already running`);
    this.#cluster = cluster ?? this.#cluster;
    this.#child = new Deno.Command(ETCD_BIN ?? "etcd", {
      args: [
        `--name=${this.name}`,
        `--data-dir=${this.dataDir}`,
        `--listen-client-urls=${this.clientUrl}`,
        `--advertise-client-urls=${this.clientUrl}`,
        `--listen-peer-urls=${this.peerUrl}`,
        `--initial-advertise-peer-urls=${this.peerUrl}`,
        `--initial-cluster=${this.#cluster}`,
        "--initial-cluster-token=nomad-ts-test",
        "--heartbeat-interval=50",
        "--election-timeout=500",
        "--logger=zap",
        `--log-outputs=${this.dataDir}.log`,
        ...(this.#tls
          ? [
            `--cert-file=${this.#tls.certFile}`,
            `--key-file=${this.#tls.keyFile}`,
            `--trusted-ca-file=${this.#tls.caFile}`,
            "--client-cert-auth",
          ]
          : []),
        ...this.#extra,
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    running.add(this.#child.pid);
  }

  /** Kills the process (SIGKILL by default) and waits for it to exit. */
  async stop(signal: Deno.Signal = "SIGKILL"): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    try {
      Deno.kill(child.pid, signal);
    } catch {
      // It exited already.
    }
    await child.status;
    running.delete(child.pid);
  }

  /** Resolves when the member answers `/health` as healthy (it has a leader). */
  async ready(timeoutMs = 15_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    let last = "";
    using http = this.#tls
      ? Deno.createHttpClient({
        caCerts: [await Deno.readTextFile(this.#tls.caFile)],
        cert: await Deno.readTextFile(this.#tls.certFile),
        key: await Deno.readTextFile(this.#tls.keyFile),
      })
      : undefined;
    while (Date.now() < until) {
      try {
        const res = await fetch(`${this.clientUrl}/health`, {
          signal: AbortSignal.timeout(1000),
          ...(http ? { client: http } : {}),
        });
        const body = await res.text();
        if (res.ok && body.includes('"true"')) return;
        last = body;
      } catch (err) {
        last = String(err);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    let log = "";
    try {
      log = (await Deno.readTextFile(`${this.dataDir}.log`)).slice(-2000);
    } catch {
      // No log yet.
    }
    throw new Error(`etcd member ${this.name} did not become healthy: ${last}\n${log}`);
  }
}

/** Process ids of the members still running, killed when the process exits. */
const running = new Set<number>();
globalThis.addEventListener("unload", () => {
  for (const pid of running) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // Gone already.
    }
  }
});

/** A running cluster; `await using` stops it and removes its data. */
export interface EtcdCluster extends AsyncDisposable {
  readonly members: readonly EtcdMember[];
  /** The members' client URLs. */
  readonly endpoints: readonly string[];
  /** Stops every member and removes the data directories. */
  stop(): Promise<void>;
}

/** Options of {@link startEtcd}. */
export interface StartEtcdOptions {
  /** 1 (default) or 3. */
  readonly members?: number;
  /** More command-line flags for every member (e.g. `--max-request-bytes=...`). */
  readonly flags?: readonly string[];
  /** Serve clients over TLS with these files, and require client certificates signed by the CA. */
  readonly tls?: EtcdTlsFiles;
}

/** PEM files: a CA, and a certificate (for 127.0.0.1, server and client use) with its key. */
export interface EtcdTlsFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** Makes a CA and a certificate for 127.0.0.1 signed by it, with `openssl`, in `dir`. */
export async function makeTlsFiles(dir: string): Promise<EtcdTlsFiles> {
  const run = async (...args: string[]) => {
    const out = await new Deno.Command("openssl", {
      args,
      cwd: dir,
      stdout: "null",
      stderr: "piped",
    })
      .output();
    if (!out.success) {
      throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
    }
  };
  await Deno.writeTextFile(
    join(dir, "ext.cnf"),
    "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n",
  );
  await run(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=nomad-ts test CA",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
  );
  await run(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    "etcd.key",
    "-out",
    "etcd.csr",
  );
  await run(
    "x509",
    "-req",
    "-in",
    "etcd.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "ext.cnf",
    "-out",
    "etcd.pem",
  );
  return {
    caFile: join(dir, "ca.pem"),
    certFile: join(dir, "etcd.pem"),
    keyFile: join(dir, "etcd.key"),
  };
}

/** Starts etcd on loopback and waits until it is healthy. */
export async function startEtcd(opts: StartEtcdOptions = {}): Promise<EtcdCluster> {
  if (ETCD_BIN === undefined) {
    throw new Error("Cannot test on etcd: it is not installed; apt-get install etcd-server");
  }
  const dir = await Deno.makeTempDir({ prefix: "nomad_etcd_" });
  const n = opts.members ?? 1;
  const members: EtcdMember[] = [];
  const names = Array.from({ length: n }, (_, i) => `m${i + 1}`);
  const peers: EtcdMember[] = names.map((name) =>
    new EtcdMember(name, dir, opts.flags ?? [], opts.tls)
  );
  const cluster = peers.map((m) => `${m.name}=${m.peerUrl}`).join(",");
  const stop = async () => {
    await Promise.all(members.map((m) => m.stop()));
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    for (const m of peers) {
      members.push(m);
      m.start(cluster);
    }
    await Promise.all(members.map((m) => m.ready()));
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    members,
    endpoints: members.map((m) => m.clientUrl),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** Whether the etcd tests are skipped here (etcd missing, not on CI); says so once. */
export function etcdMissing(): boolean {
  if (ETCD_BIN !== undefined || CI) return false;
  if (!warned) {
    warned = true;
    console.warn("etcd is not installed (apt-get install etcd-server): skipping the etcd tests");
  }
  return true;
}
