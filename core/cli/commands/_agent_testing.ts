/**
 * The real server behind the real `/v1` API on a local port, in-process, for CLI tests that
 * should see what a user sees against an agent: one simulated node, scheduling on.
 *
 * @module
 */
import { simNode } from "../../server/server_testing.ts";
import { type TestApi, testApi } from "../../http/routes/_testing.ts";

/** A served test API: its address for `NOMAD_ADDR`, and the API's server and state. */
export interface ServedApi extends AsyncDisposable {
  readonly address: string;
  readonly api: TestApi;
  /** The environment a CLI run needs to reach it. */
  readonly env: Record<string, string>;
}

/** Serves a scheduling {@link testApi} with one ready node on 127.0.0.1 (a free port). */
export async function servedApi(): Promise<ServedApi> {
  const api = await testApi({ scheduling: true });
  await api.server.registerNode(simNode(1), { namespace: "default", region: "global", token: "" });
  const http = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, api.app.fetch);
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
