import { assertEquals } from "../../tests/assert.ts";
import { scanBody, type ScannedBlock } from "./_scan.ts";

Deno.test("scanBody() records blocks, labels, attributes and positions", () => {
  const items = scanBody('job "x" {\n  type = "batch"\n  group "g" {\n    count = 2\n  }\n}\n');
  assertEquals(items.length, 1);
  const job = items[0] as ScannedBlock;
  assertEquals([job.kind, job.name, job.labels, job.pos], ["block", "job", ["x"], {
    line: 1,
    col: 1,
  }]);
  assertEquals(job.body[0], {
    kind: "attribute",
    name: "type",
    pos: { line: 2, col: 3 },
    valuePos: { line: 2, col: 10 },
    source: '"batch"',
  });
  const group = job.body[1] as ScannedBlock;
  assertEquals([group.name, group.labels, group.pos], ["group", ["g"], { line: 3, col: 3 }]);
  assertEquals(group.body[0]?.pos, { line: 4, col: 5 });
});

Deno.test("scanBody() skips strings, interpolations, heredocs, comments and brackets", () => {
  const src = [
    "# a comment with { braces",
    'a = "x ${ upper("}") } y" // trailing',
    "b = [",
    '  "one", /* { */ "two",',
    "]",
    "c = <<-EOT",
    "  } not the end { ",
    "  EOT",
    'port "db" { to = 6379 }',
    "d = { k = { n = 1 } }",
    'e = "$${literal} %%{x}"',
    "f = 1 // done",
  ].join("\n");
  const items = scanBody(src);
  assertEquals(
    items.map((i) => `${i.kind}:${i.name}@${i.pos.line}:${i.pos.col}`),
    [
      "attribute:a@2:1",
      "attribute:b@3:1",
      "attribute:c@6:1",
      "block:port@9:1",
      "attribute:d@10:1",
      "attribute:e@11:1",
      "attribute:f@12:1",
    ],
  );
  const port = items[3] as ScannedBlock;
  assertEquals(port.labels, ["db"]);
  assertEquals(port.body.map((i) => i.name), ["to"]);
  assertEquals(items[6]?.kind === "attribute" && items[6].source, "1");
  assertEquals(items[0]?.kind === "attribute" && items[0].source, '"x ${ upper("}") } y"');
});
