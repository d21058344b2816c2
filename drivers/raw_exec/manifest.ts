/**
 * raw_exec's manifest: the permissions its Worker gets, and why.
 *
 * - `run: ["/bin/sh"]` — the only program the Worker starts. Each task's executor is a `/bin/sh`
 *   script (`_executor.ts`), and the driver sends signals (the shell's `kill` builtin) and reads
 *   `/proc` (`cat`) through one-shot shells, because Deno 2.9.6 asks more for doing either
 *   directly: `Deno.kill` needs `run` on every program, and reading anything under `/proc`
 *   (`/proc/<pid>/stat`, even `/proc/loadavg` or `/proc/self/stat`) fails with "Requires all
 *   access" unless the Worker holds all eight permission kinds, `ffi` and `import` included
 *   (`read: true` with every other kind but `ffi` is refused; checked on Deno 2.9.6).
 * - `read` and `write` on `${alloc_dir}` — each task's executor directory
 *   (`<task dir>/.executor`: `pids`, `exit`, `executor.out`), written by the executor and read,
 *   cleared or (for a dead executor) completed by the driver.
 *
 * No `env`, `net`, `sys`, `ffi`. A shell can run any program, so `run: ["/bin/sh"]` is in effect
 * `run: true`: this scoping documents intent and stops accidents; it does not contain a
 * malicious driver. raw_exec itself runs arbitrary host commands by design.
 *
 * @module
 */
import type { PluginManifest } from "../../plugins/sdk.ts";
import { RAW_EXEC_NAME } from "./_config.ts";

/** raw_exec's manifest. */
export const rawExecManifest: PluginManifest = {
  name: RAW_EXEC_NAME,
  version: "0.2.0",
  entry: new URL("./driver.ts", import.meta.url).href,
  permissions: {
    run: ["/bin/sh"],
    read: ["${alloc_dir}"],
    write: ["${alloc_dir}"],
  },
  // What the driver's own fingerprint says (see `fingerprint()` in driver.ts): the agent reports
  // it without starting the Worker, which starts with the first task.
  fingerprint: {
    enabledBy: { config: "enabled", option: `driver.${RAW_EXEC_NAME}.enable` },
    attributes: { [`driver.${RAW_EXEC_NAME}`]: true },
  },
};
