/**
 * The real server behind the real `/v1` API on a local port, in-process, for CLI tests that
 * should see what a user sees against an agent: one simulated node, scheduling on.
 *
 * @module
 */
import { simNode } from "../../server/server_testing.ts";
import { type TestApi, testApi, type TestApiOptions } from "../../http/routes/_testing.ts";
import type { Node } from "../../structs/mod.ts";

/** A served test API: its address for `NOMAD_ADDR`, and the API's server and state. */
export interface ServedApi extends AsyncDisposable {
  readonly address: string;
  readonly api: TestApi;
  /** The environment a CLI run needs to reach it. */
  readonly env: Record<string, string>;
}

/** Options of {@link servedApi}: the nodes to register, and the API's dependencies. */
export interface ServedApiOptions extends Omit<TestApiOptions, "scheduling"> {
  /** The ready nodes registered first (default: `simNode(1)`). */
  readonly nodes?: readonly Node[];
  /** Sees every request before the API answers it (to wait for a command's queries). */
  readonly onRequest?: (req: Request) => void;
}

/** Serves a scheduling {@link testApi} with ready nodes on 127.0.0.1 (a free port). */
export async function servedApi(opts: ServedApiOptions = {}): Promise<ServedApi> {
  const { nodes = [simNode(1)], onRequest, ...deps } = opts;
  const api = await testApi({ ...deps, scheduling: true });
  for (const node of nodes) {
    await api.server.registerNode(node, { namespace: "default", region: "global", token: "" });
  }
  const http = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    onRequest?.(req);
    return api.app.fetch(req);
  });
  const address = `http://127.0.0.1:${http.addr.port}`;
  const close = async () => {
    await http.shutdown();
    await api.close();
  };
  return { address, api, env: { NOMAD_ADDR: address }, [Symbol.asyncDispose]: close };
}

/** Replaces the monitor's timestamps (`2024-01-01T00:00:00Z`) with `<time>`. */
export function withoutTimes(text: string): string {
  return text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d)/g, "<time>");
}
