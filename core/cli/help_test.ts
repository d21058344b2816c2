import { assert, assertEquals } from "../../tests/assert.ts";
import { childrenOf } from "./catalog.ts";
import type { Command } from "./command.ts";
import { commandHelp, rootHelp } from "./help.ts";

Deno.test("rootHelp() lists the common commands first, aligned as Nomad's tabwriter does", () => {
  const lines = rootHelp().split("\n");
  assertEquals(lines.slice(0, 11), [
    "Usage: nomad-ts [-version] [-help] <command> [args]",
    "",
    "Common commands:",
    "    run         Run a new job or update an existing job",
    "    stop        Stop a running job",
    "    status      Display the status output for a resource",
    "    alloc       Interact with allocations",
    "    job         Interact with jobs",
    "    node        Interact with nodes",
    "    agent       Runs a Nomad agent",
    "",
  ]);
  assertEquals(lines[11], "Other commands:");
});

Deno.test("rootHelp() sorts the other commands and leaves out the unlisted aliases", () => {
  const lines = rootHelp().split("\n");
  const other = lines.slice(lines.indexOf("Other commands:") + 1);
  const names = other.map((l) => l.trim().split(/\s+/)[0]!);
  assertEquals(names, [...names].sort());
  for (const alias of ["init", "validate", "plan", "inspect", "logs", "fs"]) {
    assert(!names.includes(alias), alias);
  }
  for (const name of ["version", "exec", "start", "acl", "volume"]) assert(names.includes(name));
  assert(other.includes("    recommendation      Interact with the Nomad recommendation endpoint"));
  assert(other.includes("    acl                 Interact with ACL policies and tokens"));
  assert(!rootHelp().endsWith("\n"));
});

const fake: Command = { name: "x", help: () => "Usage: x", run: () => Promise.resolve(0) };

Deno.test("commandHelp() appends the direct subcommands, names padded to the longest", () => {
  const text = commandHelp(fake, "node pool");
  const lines = text.split("\n");
  assertEquals(lines.slice(0, 3), ["Usage: x", "", "Subcommands:"]);
  assertEquals(lines[3], "    apply     Create or update a node pool");
  assertEquals(lines.length, 3 + childrenOf("node pool").length + 1); // the last line is empty
  assert(text.endsWith("\n") && !text.endsWith("\n\n"));
});

Deno.test("commandHelp() adds nothing but a newline for a command without subcommands", () => {
  assertEquals(commandHelp(fake, "job init"), "Usage: x\n");
});

Deno.test("childrenOf() gives only direct children, sorted", () => {
  const job = childrenOf("job");
  assert(job.includes("job init") && job.includes("job periodic"));
  assert(!job.includes("job periodic force"));
  assertEquals(job, [...job].sort());
  assertEquals(childrenOf("job periodic"), ["job periodic force"]);
});
