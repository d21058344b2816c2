import {
  CONFORMANCE_STDOUT,
  type ConformanceTaskKind,
  runDriverConformance,
} from "../../plugins/conformance.ts";
import { rawExecManifest } from "./manifest.ts";

const sh = (script: string) => ({ command: "/bin/sh", args: ["-c", script] });

const TASKS: Record<ConformanceTaskKind, Record<string, unknown>> = {
  success: sh(`echo '${CONFORMANCE_STDOUT}'`),
  failure: sh("exit 3"),
  short: sh("sleep 1.5; exit 7"),
  // Bounded (two minutes) so that even a failed test leaves nothing running for long.
  long: sh("i=0; while [ $i -lt 1200 ]; do echo tick $i; i=$((i+1)); sleep 0.1; done"),
  invalid: { args: ["no command"] },
};

runDriverConformance({
  name: "raw_exec",
  manifest: rawExecManifest,
  pluginConfig: { enabled: true },
  taskConfig: (kind) => TASKS[kind],
  invalidProblem: '"command" is required',
});
