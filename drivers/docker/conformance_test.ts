import {
  CONFORMANCE_STDOUT,
  type ConformanceTaskKind,
  runDriverConformance,
} from "../../plugins/conformance.ts";
import {
  buildImage,
  BUSYBOX_IMAGE,
  removeTestContainers,
  removeTestImages,
  requireDocker,
  TEST_LABEL,
} from "./docker_testing.ts";
import { dockerManifest } from "./manifest.ts";

const IMAGE = "nomad-ts-test/conformance:1";
const sh = (script: string) => ({
  image: IMAGE,
  command: "/bin/sh",
  args: ["-c", script],
  labels: { [TEST_LABEL]: "conformance" },
});

const TASKS: Record<ConformanceTaskKind, Record<string, unknown>> = {
  success: sh(`echo '${CONFORMANCE_STDOUT}'`),
  failure: sh("exit 3"),
  short: sh("sleep 1.5; exit 7"),
  // Bounded (two minutes) so that even a failed test leaves nothing running for long.
  long: sh("i=0; while [ $i -lt 1200 ]; do echo tick $i; i=$((i+1)); sleep 0.1; done"),
  invalid: { command: "/bin/sh", labels: { [TEST_LABEL]: "conformance" } },
};

if (await requireDocker("docker conformance")) {
  Deno.test("docker conformance: build the test image", async () => {
    await buildImage(IMAGE);
  });
  runDriverConformance({
    name: "docker",
    manifest: dockerManifest,
    pluginConfig: { gc: { image: false } },
    taskConfig: (kind) => TASKS[kind],
    invalidProblem: '"image" is required',
  });
  Deno.test("docker conformance: clean up", async () => {
    await removeTestContainers(`label=${TEST_LABEL}=conformance`);
    await removeTestImages([IMAGE]);
  });
  void BUSYBOX_IMAGE;
}
