import { assert, assertEquals, assertMatch } from "../../tests/assert.ts";
import { pathToFileURL } from "node:url";
import denoJson from "../../deno.json" with { type: "json" };
import { revision, VERSION, versionText } from "./version.ts";

Deno.test("VERSION is the version of deno.json", () => {
  assertEquals(VERSION, denoJson.version);
});

Deno.test("versionText() prints nomad-ts v<version>, then the revision when known", async () => {
  const text = await versionText();
  const [first, second, ...rest] = text.split("\n");
  assertEquals(first, `nomad-ts v${VERSION}`);
  assertEquals(rest, []);
  const rev = await revision();
  if (rev === undefined) assertEquals(second, undefined);
  else assertEquals(second, `Revision ${rev}`);
});

Deno.test("revision() is the checkout's HEAD when there is no .build/revision", async () => {
  const file = new URL("../../.build/revision", import.meta.url);
  const hasFile = await Deno.stat(file).then(() => true, () => false);
  const git = await new Deno.Command("git", {
    args: ["rev-parse", "HEAD"],
    cwd: new URL(".", import.meta.url),
    stdout: "piped",
    stderr: "null",
  }).output().catch(() => undefined);
  const rev = await revision();
  if (hasFile) {
    assertEquals(rev, (await Deno.readTextFile(file)).trim());
  } else if (git?.success) {
    assertMatch(rev ?? "", /^[0-9a-f]{40}$/);
    assertEquals(rev, new TextDecoder().decode(git.stdout).trim());
  } else {
    assert(rev === undefined);
  }
});

Deno.test("revision() prefers the .build/revision file and skips an empty one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = pathToFileURL(`${dir}/revision`);
    const notGit = pathToFileURL(`${dir}/`);
    await Deno.writeTextFile(file, "0123456789abcdef0123456789abcdef01234567\n");
    assertEquals(await revision({ file, dir: notGit }), "0123456789abcdef0123456789abcdef01234567");
    await Deno.writeTextFile(file, "\n");
    assertEquals(await revision({ file, dir: notGit }), undefined);
    await Deno.remove(file);
    assertEquals(await revision({ file, dir: new URL("file:///nonexistent/dir/") }), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
