import { assertEquals } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { FakeNomad } from "../api/_fake_nomad_testing.ts";
import { job, jobStub } from "./_fixtures_testing.ts";

function agent(): FakeNomad {
  return new FakeNomad({
    "GET /v1/jobs": [jobStub({ ID: "example" })],
    "GET /v1/job/example": job({ Version: 2, Meta: { owner: "<ops & dev>" } }),
    "GET /v1/job/example/versions": {
      Versions: [job({ Version: 2 }), job({ Version: 1, Priority: 70 }), job({ Version: 0 })],
      Diffs: null,
    },
    "GET /v1/job/example/submission": {
      Source: 'job "example" {}',
      Format: "hcl2",
      VariableFlags: { n: "2" },
      Variables: "",
    },
  });
}

Deno.test('job inspect prints {"Job": ...} with four spaces and HTML left as is', async () => {
  const fake = agent();
  try {
    const { code, stdout } = await runCli(["job", "inspect", "example"], {
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals(code, 0);
    const head = '{\n    "Job": {\n        "Region": "global",\n        "Namespace": "default",';
    assertEquals(stdout.slice(0, head.length), head);
    assertEquals(stdout.includes('"owner": "<ops & dev>"'), true);
    assertEquals(JSON.parse(stdout).Job.Version, 2);
  } finally {
    await fake.close();
  }
});

Deno.test("job inspect -version -json prints that version alone", async () => {
  const fake = agent();
  try {
    const { code, stdout } = await runCli(["inspect", "-version", "1", "-json", "exa"], {
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals(code, 0);
    const out = JSON.parse(stdout);
    assertEquals([out.Version, out.Priority], [1, 70]);
    const missing = await runCli(["job", "inspect", "-version", "9", "example"], {
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals(
      [missing.code, missing.stderr],
      [1, 'Error inspecting job: job "example" with version 9 couldn\'t be found\n'],
    );
  } finally {
    await fake.close();
  }
});

Deno.test("job inspect -hcl prints the submitted source and -with-vars how to rerun it", async () => {
  const fake = agent();
  try {
    const { code, stdout, stderr } = await runCli(
      ["job", "inspect", "-hcl", "-with-vars", "example"],
      { env: { NOMAD_ADDR: fake.address } },
    );
    assertEquals([code, stdout], [0, 'job "example" {}\n']);
    assertEquals(
      stderr,
      "\nTo run this job as originally submitted:\n\n" +
        "$ nomad-ts job inspect -namespace default -hcl example |\n" +
        "    nomad-ts job run -namespace default -var n=2 example\n\n",
    );
    assertEquals(fake.requestsTo("GET /v1/job/example/submission")[0]!.query.get("version"), "2");
  } finally {
    await fake.close();
  }
});

Deno.test("job inspect refuses -hcl with -json", async () => {
  const { code, stderr } = await runCli(["job", "inspect", "-hcl", "-json", "x"]);
  assertEquals([code, stderr], [1, "can only use one of -hcl or -json\n"]);
});
