import { assertEquals } from "../../../tests/assert.ts";
import type { JobDiff } from "../../structs/mod.ts";
import { colorize } from "./color.ts";
import { formatJobDiff } from "./diff.ts";

const plain = (d: JobDiff, verbose = false) => colorize(formatJobDiff(d, verbose), false);

const IMAGE_CHANGE: JobDiff = {
  Type: "Edited",
  ID: "example",
  Fields: null,
  Objects: null,
  TaskGroups: [{
    Type: "Edited",
    Name: "cache",
    Fields: null,
    Objects: null,
    Updates: { "create/destroy update": 1 },
    Tasks: [{
      Type: "Edited",
      Name: "redis",
      Fields: null,
      Annotations: ["forces create/destroy update"],
      Objects: [{
        Type: "Edited",
        Name: "Config",
        Fields: [
          { Type: "Edited", Name: "image", Old: "redis:3.2", New: "redis:7", Annotations: null },
          { Type: "None", Name: "port_map[0][db]", Old: "6379", New: "6379", Annotations: null },
        ],
        Objects: null,
      }],
    }],
  }],
};

Deno.test("formatJobDiff() nests objects and aligns names under the longest marker", () => {
  assertEquals(
    plain(IMAGE_CHANGE),
    `+/- Job: "example"
+/- Task Group: "cache" (1 create/destroy update)
  +/- Task: "redis" (forces create/destroy update)
    +/- Config {
      +/- image:           "redis:3.2" => "redis:7"
          port_map[0][db]: "6379"
        }

`,
  );
});

const ADDED_GROUP: JobDiff = {
  Type: "Edited",
  ID: "example",
  Fields: null,
  Objects: null,
  TaskGroups: [{
    Type: "Added",
    Name: "web",
    Fields: [{ Type: "Added", Name: "Count", Old: "", New: "2", Annotations: null }],
    Objects: null,
    Updates: { create: 2 },
    Tasks: [{
      Type: "Added",
      Name: "server",
      Fields: [
        { Type: "Added", Name: "Driver", Old: "", New: "docker", Annotations: null },
        { Type: "Added", Name: "KillTimeout", Old: "", New: "5000000000", Annotations: null },
      ],
      Objects: null,
      Annotations: null,
    }],
  }, {
    Type: "Deleted",
    Name: "old",
    Fields: null,
    Objects: null,
    Updates: { destroy: 1 },
    Tasks: [{ Type: "Deleted", Name: "t", Fields: null, Objects: null, Annotations: null }],
  }],
};

Deno.test("formatJobDiff() shows added and deleted contents only when verbose", () => {
  assertEquals(
    plain(ADDED_GROUP),
    `+/- Job: "example"
+ Task Group: "web" (2 create)
  + Task: "server"

- Task Group: "old" (1 destroy)
  - Task: "t"

`,
  );
  assertEquals(
    plain(ADDED_GROUP, true).split("\n").slice(1, 6).join("\n"),
    `+ Task Group: "web" (2 create)
  + Count: "2"
  + Task: "server"
    + Driver:      "docker"
    + KillTimeout: "5000000000"`,
  );
});

Deno.test("formatJobDiff() colors markers, update counts and annotations as Nomad", () => {
  const tagged = formatJobDiff(IMAGE_CHANGE, false).split("\n");
  assertEquals(tagged[0], '[light_yellow]+/-[reset] [bold]Job: "example"');
  assertEquals(
    tagged[1],
    '[light_yellow]+/-[reset] [bold]Task Group: "cache"[reset] ' +
      "([reset][yellow]1 create/destroy update[reset])",
  );
  assertEquals(
    tagged[2],
    '  [light_yellow]+/-[reset] [bold]Task: "redis" [reset]([yellow]forces create/destroy ' +
      "update[reset])",
  );
});

Deno.test("formatJobDiff() quotes values as Go's %q", () => {
  const d: JobDiff = {
    Type: "Edited",
    ID: "x",
    Fields: [{
      Type: "Edited",
      Name: "Meta[a]",
      Old: 'say "hi"',
      New: "tab\there",
      Annotations: null,
    }],
    Objects: null,
    TaskGroups: null,
  };
  assertEquals(plain(d), '+/- Job: "x"\n+/- Meta[a]: "say \\"hi\\"" => "tab\\there"\n');
});
