import {
  CONFORMANCE_STDOUT,
  type ConformanceTaskKind,
  runDriverConformance,
} from "../../plugins/conformance.ts";
import { mockManifest } from "./manifest.ts";

const TASKS: Record<ConformanceTaskKind, Record<string, unknown>> = {
  success: { run_for: "100ms", stdout_string: CONFORMANCE_STDOUT },
  failure: { run_for: "100ms", exit_code: 3 },
  short: { run_for: "1500ms", exit_code: 7 },
  long: {
    run_for: "5m",
    stdout_string: "tick\n",
    stdout_repeat: 3000,
    stdout_repeat_duration: "100ms",
  },
  invalid: { run_for: "soon" },
};

runDriverConformance({
  name: "mock_driver",
  manifest: mockManifest,
  taskConfig: (kind) => TASKS[kind],
  invalidProblem: '"run_for" must be a duration',
});
