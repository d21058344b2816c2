/**
 * Job file parsing: the whole of `parseJob` (HCL library + scanner + decoder + expressions)
 * against its floor, the HCL library's own parse of the same text, measured in the same run.
 * Run: `deno task bench`.
 */
import { parse as hcl2json } from "@cdktf/hcl2json";
import { parseJob } from "../core/jobspec/mod.ts";
import { canonicalize, validateJob } from "../core/structs/mod.ts";

const path = new URL("../core/cli/assets/example.nomad.hcl", import.meta.url);
const source = await Deno.readTextFile(path);
const withVars = `variable "n" {
  type    = number
  default = 3
}
locals {
  tags = [for i in range(var.n) : format("web-%d", i)]
}
${
  source.replace("count = 1", "count = var.n").replace(
    'ports = ["db"]',
    'ports = ["db"]\n        args = local.tags',
  )
}`;

// Warm the WebAssembly module once, so no case pays for its start.
await hcl2json("warm.hcl", source);
const job = await parseJob(source, { path: "example.nomad.hcl" });

Deno.bench("hcl2json parse of example.nomad.hcl", { group: "parse", baseline: true }, async () => {
  await hcl2json("example.nomad.hcl", source);
});

Deno.bench("parseJob(example.nomad.hcl)", { group: "parse" }, async () => {
  await parseJob(source, { path: "example.nomad.hcl" });
});

Deno.bench("parseJob() with variables, locals and functions", { group: "parse" }, async () => {
  await parseJob(withVars, { path: "vars.nomad.hcl" });
});

Deno.bench("canonicalize + validateJob of the example job", () => {
  validateJob(canonicalize(job));
});
