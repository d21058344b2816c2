import { assert, assertEquals, assertMatch, assertStringIncludes } from "../../tests/assert.ts";
import { parseInvocation } from "./mod.ts";
import { runCli } from "./_testing.ts";
import { VERSION } from "./version.ts";

Deno.test("parseInvocation() picks the longest command the leading words name", () => {
  assertEquals(parseInvocation(["job", "init", "-short", "x.hcl"]), {
    command: "job init",
    args: ["-short", "x.hcl"],
    help: false,
    version: false,
    topFlags: [],
  });
  assertEquals(parseInvocation(["node", "pool", "list"]).command, "node pool list");
  assertEquals(parseInvocation(["init", "job"]).command, "init");
  assertEquals(parseInvocation(["init", "job"]).args, ["job"]);
});

Deno.test("parseInvocation() matches whole words only", () => {
  const inv = parseInvocation(["job", "initx"]);
  assertEquals(inv.command, "job");
  assertEquals(inv.args, ["initx"]);
  assertEquals(parseInvocation(["jobs"]).command, "jobs");
});

Deno.test("parseInvocation() finds help flags anywhere before --", () => {
  assertEquals(parseInvocation(["job", "run", "x.hcl", "--help"]).help, true);
  assertEquals(parseInvocation(["-h"]).help, true);
  assertEquals(parseInvocation(["job", "run", "--", "-h"]).help, false);
});

Deno.test("parseInvocation() takes version flags only before the command", () => {
  assertEquals(parseInvocation(["-v"]).version, true);
  assertEquals(parseInvocation(["--version"]).version, true);
  const inv = parseInvocation(["version", "-v"]);
  assertEquals(inv.version, false);
  assertEquals(inv.args, ["-v"]);
});

Deno.test("parseInvocation() records flags before the command", () => {
  const inv = parseInvocation(["-address=x", "job", "run"]);
  assertEquals(inv.topFlags, ["-address=x"]);
  assertEquals(inv.command, "job run");
});

Deno.test("parseInvocation() never takes an argument with a space as the command", () => {
  assertEquals(parseInvocation(["job init"]).command, "");
  assertEquals(parseInvocation(["", "version"]).command, "version");
});

Deno.test("run() prints the top-level help to stderr with exit code 127 without a command", async () => {
  const { code, stdout, stderr } = await runCli([]);
  assertEquals(code, 127);
  assertEquals(stdout, "");
  assert(stderr.startsWith("Usage: nomad-ts [-version] [-help] <command> [args]\n"), stderr);
});

Deno.test("run() answers an unknown command with the top-level help and exit code 127", async () => {
  const { code, stdout, stderr } = await runCli(["frobnicate", "-x"]);
  assertEquals(code, 127);
  assertEquals(stdout, "");
  assertStringIncludes(stderr, "Common commands:");
});

Deno.test("run() prints the top-level help to stdout for -h, -help and --help", async () => {
  for (const flag of ["-h", "-help", "--help"]) {
    const { code, stdout, stderr } = await runCli([flag]);
    assertEquals(code, 0, flag);
    assertEquals(stderr, "");
    assertStringIncludes(stdout, "Other commands:");
  }
});

Deno.test("run() prints the version for -v, -version and --version", async () => {
  for (const flag of ["-v", "-version", "--version"]) {
    const { code, stdout } = await runCli([flag]);
    assertEquals(code, 0, flag);
    assertMatch(stdout, new RegExp(`^nomad-ts v${VERSION.replaceAll(".", "\\.")}\n`));
  }
});

Deno.test("run() prints a command's help to stdout for -h after it", async () => {
  const { code, stdout, stderr } = await runCli(["job", "init", "-h"]);
  assertEquals(code, 0);
  assertEquals(stderr, "");
  assert(stdout.startsWith("Usage: nomad-ts job init [options] [filename]\n"), stdout);
  assert(stdout.endsWith("\n") && !stdout.endsWith("\n\n"));
});

Deno.test("run() gives an alias the help of the command it runs", async () => {
  const { code, stdout } = await runCli(["run", "--help"]);
  assertEquals(code, 0);
  assert(stdout.startsWith("Usage: nomad-ts job run [options] <path>\nAlias: nomad-ts run\n"));
  assert(!stdout.includes("Subcommands:"));
});

Deno.test("run() prints a group's help and subcommands to stderr with exit 1", async () => {
  const { code, stdout, stderr } = await runCli(["job"]);
  assertEquals(code, 1);
  assertEquals(stdout, "");
  assert(stderr.startsWith("Usage: nomad-ts job <subcommand> [options] [args]\n"));
  assertStringIncludes(stderr, "\n\nSubcommands:\n");
  assertStringIncludes(stderr, "\n    init              Create an example job file\n");
  assertStringIncludes(
    stderr,
    "\n    validate          Checks if a given job specification is valid\n",
  );
});

Deno.test("run() lists the subcommands of a group that is not built yet", async () => {
  const { code, stderr } = await runCli(["alloc"]);
  assertEquals(code, 1);
  assert(stderr.startsWith("Usage: nomad-ts alloc <subcommand> [options] [args]\n"));
  assertStringIncludes(
    stderr,
    "\n    status     Display allocation status information and metadata\n",
  );
});

Deno.test("run() prints the node and server groups' help with their subcommands", async () => {
  const node = await runCli(["node"]);
  assertEquals([node.code, node.stdout], [1, ""]);
  assert(node.stderr.startsWith("Usage: nomad-ts node <subcommand> [options] [args]\n"));
  assertStringIncludes(node.stderr, "$ nomad-ts node drain -enable -deadline 4h <node-id>");
  assertStringIncludes(node.stderr, "\n    drain          Toggle drain mode on a given node\n");
  assertStringIncludes(node.stderr, "\n    purge          Remove a node from the cluster state\n");
  const server = await runCli(["server"]);
  assertEquals(server.code, 1);
  assertStringIncludes(server.stderr, '$ nomad-ts server join "IP:Port"');
  assertStringIncludes(
    server.stderr,
    "\n    force-leave    Force a server into the 'left' state\n" +
      "    join           Join server nodes together\n",
  );
  const help = await runCli(["node", "drain", "-h"]);
  assertEquals(help.code, 0);
  assert(help.stdout.startsWith("Usage: nomad-ts node drain [options] <node>\n"));
  assertStringIncludes(help.stdout, "\n  -keep-ineligible\n");
});

Deno.test("run() says in one line that a command comes in a later version", async () => {
  for (
    const args of [["alloc", "checks"], ["volume", "status"], ["node", "meta", "read"], [
      "exec",
      "web",
    ]]
  ) {
    const { code, stdout, stderr } = await runCli(args);
    assertEquals(code, 1, args.join(" "));
    assertEquals(stdout, "");
    assertEquals(stderr.trimEnd().split("\n").length, 1, stderr);
    assertStringIncludes(stderr, "is not built yet");
    assertStringIncludes(stderr, "later version");
  }
  const { stderr } = await runCli(["exec", "web"]);
  assertStringIncludes(stderr, '"nomad-ts alloc exec"');
});

Deno.test("run() prints usage with exit 0 for help on a command that is not built yet", async () => {
  const { code, stdout } = await runCli(["alloc", "checks", "-h"]);
  assertEquals(code, 0);
  assert(stdout.startsWith("Usage: nomad-ts alloc checks [options] [args]\n"), stdout);
});

Deno.test("run() runs the agent command, which refuses to start without a mode", async () => {
  const { code, stdout, stderr } = await runCli(["agent"]);
  assertEquals(code, 1);
  assertEquals(stdout, "");
  assertEquals(stderr, "==> Must specify either server, client or dev mode for the agent.\n");
});

Deno.test("run() refuses flags before the command", async () => {
  const { code, stdout, stderr } = await runCli(["-region=eu", "version"]);
  assertEquals(code, 1);
  assertEquals(stdout, "");
  assert(stderr.startsWith(
    "Invalid flags before the subcommand. If these flags are for\n" +
      "the subcommand, please put them after the subcommand.\n\nUsage: nomad-ts version",
  ));
});

Deno.test("run() prints a flag error on stderr and the command's help on stdout", async () => {
  const { code, stdout, stderr } = await runCli(["job", "init", "-bogus"]);
  assertEquals(code, 1);
  assertEquals(stderr, "flag provided but not defined: -bogus\n");
  assert(stdout.startsWith("Usage: nomad-ts job init"));
});

Deno.test("run() colors errors red only when stdout is a terminal and color is allowed", async () => {
  const colored = await runCli(["alloc", "checks"], { terminal: true });
  assert(colored.stderr.startsWith("\x1b[0;31mError:"), JSON.stringify(colored.stderr));
  const plain = await runCli(["alloc", "checks"], {
    terminal: true,
    env: { NOMAD_CLI_NO_COLOR: "1" },
  });
  assert(plain.stderr.startsWith("Error:"));
});
