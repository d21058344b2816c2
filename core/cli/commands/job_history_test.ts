import { assertEquals } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { FakeNomad } from "../api/_fake_nomad_testing.ts";
import { job, jobStub, nanosAgo } from "./_fixtures_testing.ts";

function agent(): FakeNomad {
  return new FakeNomad({
    "GET /v1/jobs": [jobStub({ ID: "example" })],
    "GET /v1/job/example/versions": (req) => ({
      Versions: [
        job({
          Version: 1,
          Stable: true,
          SubmitTime: nanosAgo(60),
          VersionTag: { Name: "golden", Description: "", TaggedTime: 0 },
        }),
        job({ Version: 0, SubmitTime: nanosAgo(120) }),
      ],
      Diffs: req.query.get("diffs") === "true"
        ? [{
          Type: "Edited",
          ID: "example",
          Fields: null,
          Objects: null,
          TaskGroups: [{
            Type: "Edited",
            Name: "cache",
            Fields: [{ Type: "Edited", Name: "Count", Old: "1", New: "3", Annotations: null }],
            Objects: null,
            Tasks: null,
            Updates: null,
          }],
        }]
        : null,
    }),
  });
}

Deno.test("job history lists the versions, newest first", async () => {
  const fake = agent();
  try {
    const { code, stdout } = await runCli(["job", "history", "example"], {
      env: { NOMAD_ADDR: fake.address, TZ: "UTC" },
    });
    assertEquals(code, 0);
    assertEquals(
      stdout,
      `Version     = 1
Stable      = true
Submit Date = 2024-11-30T11:40:29Z
Tag Name    = golden

Version     = 0
Stable      = false
Submit Date = 2024-11-30T11:39:29Z
`,
    );
  } finally {
    await fake.close();
  }
});

Deno.test("job history -p shows each version's diff under Diff", async () => {
  const fake = agent();
  try {
    const { stdout } = await runCli(["job", "history", "-p", "-version", "1", "example"], {
      env: { NOMAD_ADDR: fake.address, TZ: "UTC" },
    });
    assertEquals(
      stdout,
      `Version     = 1
Stable      = true
Submit Date = 2024-11-30T11:40:29Z
Tag Name    = golden
Diff        = 
+/- Job: "example"
+/- Task Group: "cache"
  +/- Count: "1" => "3"
`,
    );
    assertEquals(fake.requests.at(-1)!.query.get("diffs"), "true");
  } finally {
    await fake.close();
  }
});

Deno.test("job history checks its flags as Nomad does", async () => {
  const both = await runCli(["job", "history", "-json", "-p", "x"]);
  assertEquals([both.code, both.stderr], [1, "-json and -t are exclusive with -p and -full\n"]);
  const tag = await runCli(["job", "history", "-diff-tag", "a", "x"]);
  assertEquals(tag.stderr, "-diff-tag and -diff-version can only be used with -p\n");
});
