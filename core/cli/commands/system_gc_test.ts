import { assertEquals } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { errorAnswer, FakeNomad } from "../api/_fake_nomad_testing.ts";

Deno.test("system gc asks for a garbage collection and prints nothing", async () => {
  const fake = new FakeNomad({ "PUT /v1/system/gc": {} });
  try {
    const { code, stdout, stderr } = await runCli(["system", "gc", "-token", "s3cret"], {
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals([code, stdout, stderr], [0, "", ""]);
    assertEquals(fake.requests[0]!.headers.get("X-Nomad-Token"), "s3cret");
    fake.route("PUT /v1/system/gc", errorAnswer(403, "Permission denied"));
    const denied = await runCli(["system", "gc"], { env: { NOMAD_ADDR: fake.address } });
    assertEquals(
      [denied.code, denied.stderr],
      [
        1,
        "Error running system garbage-collection: Unexpected response code: 403 " +
        "(Permission denied)\n",
      ],
    );
  } finally {
    await fake.close();
  }
});
