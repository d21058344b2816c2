/**
 * raw_exec's manifest: the permissions its Worker gets, and why.
 *
 * - `run: ["${deno}"]` — it starts one executor per task (`deno run _executor.ts`) and nothing
 *   else; the executor, a separate process, runs the task's command.
 * - `env: ["NODE_V8_COVERAGE"]` — `node:child_process` reads this one variable when it spawns;
 *   the executor gets an explicit, empty environment, so nothing else of the agent's is read.
 * - `read` and `write` on `${alloc_dir}` — the executor directory of each task
 *   (`<task dir>/.executor`: spec, state, requests, answers) and the executor's own log.
 *
 * No `net`, `sys`, `ffi`, and no read of `/proc` (Deno grants `/proc/<pid>` only with all
 * permissions): pids and usage come from the executor. Note that `run` on the Deno executable is
 * a strong grant — a Deno child can be given any permission — so this scoping documents intent
 * and stops accidents; it does not contain a malicious driver. raw_exec itself runs arbitrary
 * host commands by design.
 *
 * @module
 */
import type { PluginManifest } from "../../plugins/sdk.ts";
import { RAW_EXEC_NAME } from "./_config.ts";

/** raw_exec's manifest. */
export const rawExecManifest: PluginManifest = {
  name: RAW_EXEC_NAME,
  version: "0.1.0",
  entry: new URL("./driver.ts", import.meta.url).href,
  permissions: {
    run: ["${deno}"],
    env: ["NODE_V8_COVERAGE"],
    read: ["${alloc_dir}"],
    write: ["${alloc_dir}"],
  },
};
