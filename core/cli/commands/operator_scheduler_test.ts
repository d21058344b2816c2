import { assertEquals } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { FakeNomad } from "../api/_fake_nomad_testing.ts";
import {
  type SchedulerConfiguration,
  SchedulerConfigurationSpec,
  zero,
} from "../../structs/mod.ts";

function config(): SchedulerConfiguration {
  const c = zero(SchedulerConfigurationSpec);
  c.SchedulerAlgorithm = "binpack";
  c.PreemptionConfig.SystemSchedulerEnabled = true;
  c.PreemptionConfig.SysBatchSchedulerEnabled = true;
  c.NodeLimitForFeasibilityChecks = 100;
  c.ModifyIndex = 5;
  return c;
}

Deno.test("operator scheduler get-config prints the configuration", async () => {
  const fake = new FakeNomad({
    "GET /v1/operator/scheduler/configuration": { SchedulerConfig: config() },
  });
  try {
    const { code, stdout } = await runCli(["operator", "scheduler", "get-config"], {
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals(code, 0);
    assertEquals(
      stdout,
      `Scheduler Algorithm               = binpack
Memory Oversubscription           = false
Reject Job Registration           = false
Pause Eval Broker                 = false
Preemption System Scheduler       = true
Preemption Service Scheduler      = false
Preemption Batch Scheduler        = false
Preemption SysBatch Scheduler     = true
Node Limit For Feasibility Checks = 100
Modify Index                      = 5
`,
    );
  } finally {
    await fake.close();
  }
});

Deno.test("operator scheduler set-config changes only the given settings, with CAS", async () => {
  const fake = new FakeNomad({
    "GET /v1/operator/scheduler/configuration": { SchedulerConfig: config() },
    "PUT /v1/operator/scheduler/configuration": { Updated: true },
  });
  try {
    const { code, stdout } = await runCli(
      [
        "operator",
        "scheduler",
        "set-config",
        "-scheduler-algorithm=spread",
        "-memory-oversubscription",
        "true",
        "-preempt-system-scheduler=false",
      ],
      { env: { NOMAD_ADDR: fake.address } },
    );
    assertEquals([code, stdout], [0, "Scheduler configuration updated!\n"]);
    const put = fake.requestsTo("PUT /v1/operator/scheduler/configuration")[0]!;
    assertEquals(put.query.get("cas"), "5");
    const body = put.body as SchedulerConfiguration;
    assertEquals(
      [
        body.SchedulerAlgorithm,
        body.MemoryOversubscriptionEnabled,
        body.PreemptionConfig.SystemSchedulerEnabled,
        body.PreemptionConfig.SysBatchSchedulerEnabled,
        body.RejectJobRegistration,
      ],
      ["spread", true, false, true, false],
    );
    fake.route("PUT /v1/operator/scheduler/configuration", { Updated: false });
    const raced = await runCli(["operator", "scheduler", "set-config", "-pause-eval-broker=true"], {
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals(
      [raced.code, raced.stdout],
      [1, "Scheduler configuration could not be atomically updated, please try again\n"],
    );
    const stale = await runCli(["operator", "scheduler", "set-config", "-check-index", "4"], {
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals(
      stale.stderr,
      "Error performing check index set: check-index 4 does not match does not match current " +
        "state value 5\n",
    );
  } finally {
    await fake.close();
  }
});

Deno.test("operator scheduler set-config refuses a value that is not a boolean", async () => {
  const { code, stderr } = await runCli([
    "operator",
    "scheduler",
    "set-config",
    "-pause-eval-broker=maybe",
  ]);
  assertEquals(code, 1);
  assertEquals(
    stderr,
    'invalid value "maybe" for flag -pause-eval-broker: strconv.ParseBool: parsing "maybe": ' +
      "invalid syntax\n",
  );
});
