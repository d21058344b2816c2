import { assertEquals } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { errorAnswer } from "../api/_fake_nomad_testing.ts";
import { delay, Feed } from "../api/_stream_testing.ts";
import { ALLOC_ID, allocAgent, jobWithTasks, postgresAlloc } from "./_alloc_fixtures_testing.ts";
import { allocStub, jobStub } from "./_fixtures_testing.ts";

const LOGS = `GET /v1/client/fs/logs/${ALLOC_ID}`;
const LOG_FILE = "alloc/logs/postgres.stdout.0";

const logs = (address: string, ...args: string[]) =>
  runCli(["alloc", "logs", ...args], { env: { NOMAD_ADDR: address } });

const query = (q: URLSearchParams) =>
  Object.fromEntries(["task", "type", "origin", "offset", "follow"].map((k) => [k, q.get(k)]));

/** Answers each log request with a new feed, kept in `feeds` in the order of the requests. */
function newFeeds(feeds: Feed[]) {
  return () => {
    const feed = new Feed();
    feeds.push(feed);
    return feed.response();
  };
}

Deno.test("alloc logs prints the task's stdout from the start", async () => {
  const feed = new Feed();
  const fake = allocAgent(postgresAlloc(), { [LOGS]: () => feed.response() });
  try {
    feed.frame("PostgreSQL init process complete; ready for start up.\n", { File: LOG_FILE });
    feed.frame("database system is ready to accept connections\n", { File: LOG_FILE });
    feed.close();
    const { code, stdout, stderr } = await logs(fake.address, "95a0741c");
    assertEquals([code, stderr], [0, ""]);
    assertEquals(
      stdout,
      "PostgreSQL init process complete; ready for start up.\n" +
        "database system is ready to accept connections\n",
    );
    assertEquals(query(fake.requestsTo(LOGS)[0]!.query), {
      task: "postgres",
      type: "stdout",
      origin: "start",
      offset: "0",
      follow: "false",
    });
  } finally {
    await fake.close();
  }
});

Deno.test("alloc logs -stderr -tail -n prints the last lines from the end", async () => {
  const feed = new Feed();
  const fake = allocAgent(postgresAlloc(), { [LOGS]: () => feed.response() });
  try {
    feed.frame("line 1\nline 2\n");
    feed.frame("line 3\nline 4\n");
    feed.close();
    const { code, stdout } = await logs(fake.address, "-stderr", "-tail", "-n", "2", "95a0");
    assertEquals([code, stdout], [0, "line 3\nline 4\n"]);
    const q = query(fake.requestsTo(LOGS)[0]!.query);
    assertEquals([q.type, q.origin, q.offset], ["stderr", "end", "240"]);
  } finally {
    await fake.close();
  }
});

Deno.test("alloc logs -tail -c asks for bytes from the end and prints them all", async () => {
  const feed = new Feed();
  const fake = allocAgent(postgresAlloc(), { [LOGS]: () => feed.response() });
  try {
    feed.frame("ne 3\nline 4\n");
    feed.close();
    const { stdout } = await logs(fake.address, "-tail", "-c", "12", "95a0");
    assertEquals(stdout, "ne 3\nline 4\n");
    assertEquals(query(fake.requestsTo(LOGS)[0]!.query).offset, "12");
  } finally {
    await fake.close();
  }
});

Deno.test("alloc logs -f follows stdout and stderr until the streams end", async () => {
  const feeds: Feed[] = [];
  const fake = allocAgent(postgresAlloc(), { [LOGS]: newFeeds(feeds) });
  try {
    const running = logs(fake.address, "-f", "95a0741c");
    while (feeds.length < 2) await delay(5);
    const [out, err] = feeds as [Feed, Feed];
    out.frame("starting\n", { Offset: 9, File: LOG_FILE });
    await delay(20);
    err.frame("WARNING: no password\n", { Offset: 21 });
    await delay(20);
    out.heartbeat();
    out.frame("ready\n", { Offset: 15, File: LOG_FILE });
    await delay(20);
    out.close();
    err.close();
    const { code, stdout, stderr } = await running;
    assertEquals([code, stdout, stderr], [0, "starting\nready\n", "WARNING: no password\n"]);
    const qs = fake.requestsTo(LOGS).map((r) => query(r.query));
    assertEquals(qs.map((q) => [q.type, q.origin, q.offset, q.follow]), [
      ["stdout", "end", "0", "true"],
      ["stderr", "end", "0", "true"],
    ]);
  } finally {
    await fake.close();
  }
});

Deno.test("alloc logs -f -stdout picks up where it was when the stream breaks off", async () => {
  const feeds = [new Feed({ breaks: true }), new Feed()];
  let n = 0;
  const fake = allocAgent(postgresAlloc(), { [LOGS]: () => feeds[n++]!.response() });
  try {
    const running = logs(fake.address, "-f", "-stdout", "95a0741c");
    while (n < 1) await delay(5);
    feeds[0]!.frame("before\n", { Offset: 7, File: LOG_FILE });
    await delay(20);
    feeds[0]!.fail();
    while (n < 2) await delay(5);
    feeds[1]!.frame("after\n", { Offset: 13, File: LOG_FILE });
    feeds[1]!.close();
    const { code, stdout } = await running;
    assertEquals([code, stdout], [0, "before\nafter\n"]);
    const qs = fake.requestsTo(LOGS).map((r) => query(r.query));
    assertEquals(qs.map((q) => [q.origin, q.offset]), [["start", "0"], ["start", "7"]]);
  } finally {
    await fake.close();
  }
});

Deno.test("alloc logs needs the task when the group has several", async () => {
  const alloc = postgresAlloc({
    Job: jobWithTasks("postgres", "database", { postgres: null, backup: null }),
  });
  const fake = allocAgent(alloc);
  try {
    const { code, stderr } = await logs(fake.address, "95a0");
    assertEquals(code, 1);
    assertEquals(
      stderr,
      `Failed to validate task: Allocation "95a0741c" is running the following tasks:
  * postgres
  * backup

Please specify the task.
`,
    );
    const unknown = await logs(fake.address, "-task", "web", "95a0");
    assertEquals(
      unknown.stderr,
      "Failed to validate task: Could not find task named: web, found:\npostgres\nbackup\n",
    );
  } finally {
    await fake.close();
  }
});

Deno.test("alloc logs reports a log that cannot be read", async () => {
  const fake = allocAgent(postgresAlloc(), {
    [LOGS]: errorAnswer(500, "failed to list entries: open alloc/logs: no such file"),
  });
  try {
    const { code, stderr } = await logs(fake.address, "95a0", "postgres");
    assertEquals(code, 1);
    assertEquals(
      stderr,
      "Failed to read stdout file: error reading file: Unexpected response code: 500 " +
        "(failed to list entries: open alloc/logs: no such file)\n",
    );
  } finally {
    await fake.close();
  }
});

Deno.test("logs -job reads the log of an allocation of the job", async () => {
  const feed = new Feed();
  const fake = allocAgent(postgresAlloc(), {
    [LOGS]: () => feed.response(),
    "GET /v1/jobs": [jobStub({ ID: "postgres", Name: "postgres" })],
    "GET /v1/job/postgres/allocations": [
      allocStub({ ID: ALLOC_ID, TaskGroup: "database", ClientStatus: "running" }),
    ],
  });
  try {
    feed.frame("from the job\n");
    feed.close();
    const { code, stdout } = await runCli(["logs", "-job", "postg"], {
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals([code, stdout], [0, "from the job\n"]);
  } finally {
    await fake.close();
  }
});

Deno.test("alloc logs checks its arguments as Nomad does", async () => {
  const fake = allocAgent(postgresAlloc());
  try {
    const none = await logs(fake.address);
    assertEquals(
      none.stderr,
      "An allocation ID is required\nFor additional help try 'nomad-ts alloc logs -help'\n",
    );
    const both = await logs(fake.address, "-stdout", "-stderr", "95a0");
    assertEquals([both.code, both.stderr], [1, "Unable to support both stdout and stderr\n"]);
    const nc = await logs(fake.address, "-tail", "-n", "3", "-c", "9", "95a0");
    assertEquals(nc.stderr, "Failed to read stdout file: both -n and -c set\n");
  } finally {
    await fake.close();
  }
});
