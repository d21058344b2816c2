/**
 * Every job file of the seeds parses into the job we reviewed field by field against Nomad's
 * API shapes (`tests/fixtures/seeds/*.json`, what `nomad job run -output` prints). Regenerate
 * after a reviewed change with `UPDATE_GOLDEN=1 deno task test core/jobspec/seeds_test.ts`.
 */
import { assertEquals, assertRejects } from "../../tests/assert.ts";
import { goJson } from "../structs/mod.ts";
import { JobspecError, parseJob } from "./mod.ts";

const dir = new URL("../../tests/fixtures/seeds/", import.meta.url);
const seeds = ["000_windows_test", "001_postgres", "004_example", "004_example_count3"];

for (const name of seeds) {
  Deno.test(`parseJob() turns seed ${name}.nomad into its golden job`, async () => {
    const path = new URL(`${name}.nomad`, dir).pathname;
    const job = await parseJob(await Deno.readTextFile(path), { path: `${name}.nomad` });
    const goldenPath = new URL(`${name}.json`, dir).pathname;
    const actual = goJson({ Job: job }, "    ") + "\n";
    if (Deno.env.get("UPDATE_GOLDEN") === "1") await Deno.writeTextFile(goldenPath, actual);
    assertEquals(actual, await Deno.readTextFile(goldenPath));
  });
}

Deno.test("parseJob() rejects seed 004's example as printed (its last brace is missing)", async () => {
  const path = new URL("004_example_as_printed.nomad", dir).pathname;
  const err = await assertRejects(
    async () => await parseJob(await Deno.readTextFile(path), { path: "example.nomad" }),
    JobspecError,
  ) as JobspecError;
  assertEquals(err.diagnostics.map((d) => [d.pos?.line, d.pos?.col, d.summary]), [
    [1, 15, "Unclosed configuration block"],
  ]);
});
