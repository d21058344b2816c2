import { join } from "node:path";
import { assert, assertEquals, assertThrows } from "../../tests/assert.ts";
import { LogFile } from "./_log_file.ts";

async function withDir(fn: (dir: string) => Promise<void> | void) {
  const dir = await Deno.makeTempDir({ prefix: "log_file_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const names = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("LogFile writes nomad.log in a directory and rotates by size, keeping max_files", () =>
  withDir((dir) => {
    let now = 1_700_000_000_000;
    const f = LogFile.open(
      { path: `${dir}/logs/`, rotateDuration: "", rotateBytes: 10, maxFiles: 2 },
      () => now,
    );
    assertEquals(f.path, join(dir, "logs", "nomad.log"));
    for (let i = 0; i < 5; i++) {
      f.write(`line ${i}`); // 7 bytes: the file is full after two lines
      now += 1;
    }
    f.close();
    const files = names(join(dir, "logs"));
    assertEquals(files.length, 3, files.join(","));
    assert(files.includes("nomad.log"));
    assert(files.every((n) => /^nomad(-\d+)?\.log$/.test(n)), files.join(","));
    assertEquals(Deno.readTextFileSync(join(dir, "logs", "nomad.log")), "line 4\n");
  }));

Deno.test("LogFile rotates after log_rotate_duration and keeps a named file's extension", () =>
  withDir((dir) => {
    let now = 1_700_000_000_000;
    const f = LogFile.open(
      { path: `${dir}/agent.txt`, rotateDuration: "1h", rotateBytes: 0, maxFiles: 0 },
      () => now,
    );
    f.write("first");
    now += 3_600_000;
    f.write("second");
    f.close();
    assertEquals(
      names(dir),
      ["agent-1700003600000000000.txt", "agent.txt"],
    );
    assertEquals(Deno.readTextFileSync(join(dir, "agent.txt")), "second\n");
  }));

Deno.test("LogFile.open() names a bad rotation duration", () => {
  assertThrows(
    () => LogFile.open({ path: "/tmp/x.log", rotateDuration: "soon", rotateBytes: 0, maxFiles: 0 }),
    Error,
    "Failed to parse log rotation duration",
  );
});
