import { assertEquals } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { errorAnswer, type RecordedRequest, type Route } from "../api/_fake_nomad_testing.ts";
import { delay, Feed } from "../api/_stream_testing.ts";
import type { AllocFileInfo } from "../api/mod.ts";
import { ALLOC_ID, allocAgent, postgresAlloc } from "./_alloc_fixtures_testing.ts";

const FS = (op: string) => `GET /v1/client/fs/${op}/${ALLOC_ID}`;

function info(name: string, o: Partial<AllocFileInfo> = {}): AllocFileInfo {
  return {
    Name: name,
    IsDir: false,
    Size: 0,
    FileMode: "-rw-r--r--",
    ModTime: "2024-11-30T12:03:05Z",
    ContentType: "text/plain; charset=utf-8",
    ...o,
  };
}

const dir = (name: string) =>
  info(name, { IsDir: true, Size: 4096, FileMode: "drwxrwxrwx", ContentType: "" });

const DATA = info("data.txt", { Size: 19 });
const FILES: Record<string, AllocFileInfo> = {
  "/": dir("/"),
  "alloc/data.txt": DATA,
};

/** An agent whose allocation directory has `alloc/data.txt` with "one\ntwo\nthree\nfour\n". */
function agent(routes: Record<string, Route> = {}) {
  return allocAgent(postgresAlloc(), {
    [FS("stat")]: (req: RecordedRequest) =>
      FILES[req.query.get("path") ?? ""] ?? errorAnswer(404, "file does not exist"),
    [FS("ls")]: [dir("alloc"), dir("postgres"), info("notes.md", { Size: 1536 })],
    [FS("cat")]: () => new Response("one\ntwo\nthree\nfour\n"),
    [FS("readat")]: (req: RecordedRequest) =>
      new Response("one\ntwo\nthree\nfour\n".slice(Number(req.query.get("offset")))),
    ...routes,
  });
}

const fs = (address: string, ...args: string[]) =>
  runCli(["alloc", "fs", ...args], { env: { NOMAD_ADDR: address, TZ: "UTC" } });

Deno.test("alloc fs lists the allocation directory", async () => {
  const fake = agent();
  try {
    const { code, stdout } = await fs(fake.address, "95a0741c");
    assertEquals(code, 0);
    assertEquals(
      stdout,
      `Mode        Size     Modified Time         Name
drwxrwxrwx  4.0 KiB  2024-11-30T12:03:05Z  alloc/
drwxrwxrwx  4.0 KiB  2024-11-30T12:03:05Z  postgres/
-rw-r--r--  1.5 KiB  2024-11-30T12:03:05Z  notes.md
`,
    );
    assertEquals(fake.requestsTo(FS("ls"))[0]!.query.get("path"), "/");
    const machine = await fs(fake.address, "-H", "95a0741c");
    assertEquals(machine.stdout.split("\n")[3], "-rw-r--r--  1536  2024-11-30T12:03:05Z  notes.md");
  } finally {
    await fake.close();
  }
});

Deno.test("alloc fs -stat describes one path", async () => {
  const fake = agent();
  try {
    const { code, stdout } = await fs(fake.address, "-stat", "95a0", "alloc/data.txt");
    assertEquals(code, 0);
    assertEquals(
      stdout,
      `Mode        Size  Modified Time         Content Type               Name
-rw-r--r--  19 B  2024-11-30T12:03:05Z  text/plain; charset=utf-8  data.txt
`,
    );
  } finally {
    await fake.close();
  }
});

Deno.test("alloc fs prints a file, or its last lines with -tail", async () => {
  const fake = agent();
  try {
    const whole = await fs(fake.address, "95a0", "alloc/data.txt");
    assertEquals([whole.code, whole.stdout], [0, "one\ntwo\nthree\nfour\n"]);
    const tail = await fs(fake.address, "-tail", "-n", "2", "95a0", "alloc/data.txt");
    assertEquals([tail.code, tail.stdout], [0, "three\nfour\n"]);
    // 2 lines are guessed at 240 bytes, more than the file has: it is read from the start.
    assertEquals(fake.requestsTo(FS("readat"))[0]!.query.get("offset"), "0");
    const bytes = await fs(fake.address, "-tail", "-c", "5", "95a0", "alloc/data.txt");
    assertEquals(bytes.stdout, "four\n");
    assertEquals(fake.requestsTo(FS("readat"))[1]!.query.get("offset"), "14");
  } finally {
    await fake.close();
  }
});

Deno.test("alloc fs -f follows a file until its stream ends", async () => {
  const feed = new Feed();
  const fake = agent({ [FS("stream")]: () => feed.response() });
  try {
    const running = fs(fake.address, "-f", "95a0", "alloc/data.txt");
    while (fake.requestsTo(FS("stream")).length === 0) await delay(5);
    feed.frame("one\n", { Offset: 4, File: "alloc/data.txt" });
    await delay(20);
    feed.frame("two\n", { Offset: 8, File: "alloc/data.txt" });
    feed.text(JSON.stringify({ Offset: 0, File: "alloc/data.txt", FileEvent: "file truncated" }));
    feed.frame("new\n", { Offset: 4, File: "alloc/data.txt" });
    feed.close();
    const { code, stdout } = await running;
    assertEquals([code, stdout], [0, "one\ntwo\nnew\n"]);
    const q = fake.requestsTo(FS("stream"))[0]!.query;
    assertEquals([q.get("path"), q.get("origin"), q.get("offset")], [
      "alloc/data.txt",
      "start",
      "0",
    ]);
  } finally {
    await fake.close();
  }
});

Deno.test("alloc fs reports a path that does not exist and bad tail sizes", async () => {
  const fake = agent();
  try {
    const missing = await fs(fake.address, "95a0", "nope");
    assertEquals(
      [missing.code, missing.stderr],
      [1, "Unexpected response code: 404 (file does not exist)\n"],
    );
    const both = await fs(fake.address, "-tail", "-n", "1", "-c", "2", "95a0", "alloc/data.txt");
    assertEquals(both.stderr, "Both -n and -c are not allowed\n");
    const args = await fs(fake.address, "95a0", "a", "b");
    assertEquals(
      args.stderr,
      "This command takes one or two arguments: <allocation> [<path>]\n" +
        "For additional help try 'nomad-ts alloc fs -help'\n",
    );
  } finally {
    await fake.close();
  }
});
