import { join } from "node:path";
import { assertEquals } from "../../tests/assert.ts";
import { assertCallError, assertExprError, run } from "./_expr_testing.ts";
import { globToRegExp, goBase, goDir } from "./_functions_filesystem.ts";

function withFiles(fn: (dir: string) => void): void {
  const dir = Deno.makeTempDirSync({ prefix: "expr_fs_" });
  try {
    Deno.writeTextFileSync(join(dir, "hello.txt"), "Hello, ${name}\n");
    Deno.writeFileSync(join(dir, "bin.dat"), new Uint8Array([0xff, 0x00, 0x41]));
    Deno.mkdirSync(join(dir, "conf/nested"), { recursive: true });
    Deno.writeTextFileSync(join(dir, "conf/a.hcl"), "");
    Deno.writeTextFileSync(join(dir, "conf/b.json"), "");
    Deno.writeTextFileSync(join(dir, "conf/nested/c.hcl"), "");
    Deno.writeTextFileSync(
      join(dir, "tpl.tftpl"),
      "%{ for s in list ~}\n- ${upper(s)}\n%{ endfor ~}\nport=${port}",
    );
    Deno.writeTextFileSync(join(dir, "bad.tftpl"), "ok\n${nope}");
    Deno.writeTextFileSync(join(dir, "var.tftpl"), "${var.p}");
    fn(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("filesystem functions are refused unless the scope allows file access", () => {
  for (
    const call of [
      'file("x")',
      'fileexists("x")',
      'fileset(".", "*")',
      'abspath("x")',
      'basename("a/b")',
      'templatefile("x", {})',
    ]
  ) {
    const name = call.slice(0, call.indexOf("("));
    assertCallError(call, name, "filesystem function disabled");
  }
});

Deno.test("file() and filebase64() read files relative to the base directory", () => {
  withFiles((dir) => {
    const fs = { baseDir: dir, allowFS: true };
    assertEquals(run('file("hello.txt")', {}, fs), "Hello, ${name}\n");
    assertEquals(run(`file("${dir}/hello.txt")`, {}, fs), "Hello, ${name}\n");
    assertEquals(run('filebase64("bin.dat")', {}, fs), "/wBB");
    assertCallError('file("missing.txt")', "file", `no file exists at ${dir}/missing.txt`, fs);
    assertCallError('file("bin.dat")', "file", "contents of bin.dat are not valid UTF-8", fs);
  });
});

Deno.test("fileexists() tells files apart from missing paths and refuses directories", () => {
  withFiles((dir) => {
    const fs = { baseDir: dir, allowFS: true };
    assertEquals(run('[fileexists("hello.txt"), fileexists("nope")]', {}, fs), [true, false]);
    assertCallError('fileexists("conf")', "fileexists", `${dir}/conf is not a regular file`, fs);
  });
});

Deno.test("fileset() matches files with doublestar globs, sorted", () => {
  withFiles((dir) => {
    const fs = { baseDir: dir, allowFS: true };
    assertEquals(run('fileset("conf", "*.hcl")', {}, fs), ["a.hcl"]);
    assertEquals(run('fileset("conf", "**/*.hcl")', {}, fs), ["a.hcl", "nested/c.hcl"]);
    assertEquals(run('fileset(".", "{hello,bin}.*")', {}, fs), ["bin.dat", "hello.txt"]);
    assertEquals(run('fileset("nowhere", "*")', {}, fs), []);
  });
  assertEquals(globToRegExp("a/**/b?.[ch]").test("a/x/y/b1.c"), true);
  assertEquals(globToRegExp("*.txt").test("d/x.txt"), false);
});

Deno.test("abspath(), dirname(), basename() and pathexpand() handle paths as Go does", () => {
  const fs = { allowFS: true };
  assertEquals(run('abspath("/a/b/../c")', {}, fs), "/a/c");
  assertEquals(run('abspath("x")', {}, fs), join(Deno.cwd(), "x"));
  assertEquals([goDir("/a/b/"), goDir("a"), goDir("/a"), goDir("")], ["/a/b", ".", "/", "."]);
  assertEquals([goBase("a/b/"), goBase(""), goBase("/"), goBase("c.txt")], [
    "b",
    ".",
    "/",
    "c.txt",
  ]);
  assertEquals(run('[dirname("/etc/nomad.d/x.hcl"), basename("/etc/nomad.d/x.hcl")]', {}, fs), [
    "/etc/nomad.d",
    "x.hcl",
  ]);
  assertEquals(run('pathexpand("~/.ssh")', {}, fs), `${Deno.env.get("HOME")}/.ssh`);
  assertEquals(run('pathexpand("/etc")', {}, fs), "/etc");
  assertCallError('pathexpand("~bob/x")', "pathexpand", "cannot expand user-specific home dir", fs);
});

Deno.test("templatefile() renders a file with only the given variables", () => {
  withFiles((dir) => {
    const fs = { baseDir: dir, allowFS: true };
    assertEquals(
      run('templatefile("tpl.tftpl", {list = ["a", "b"], port = 80})', {}, fs),
      "- A\n- B\nport=80",
    );
    assertCallError(
      'templatefile("bad.tftpl", {})',
      "templatefile",
      'bad.tftpl:2:3: Unknown variable; There is no variable named "nope".',
      fs,
    );
    assertCallError(
      'templatefile("tpl.tftpl", "x")',
      "templatefile",
      "invalid vars value: must be a map",
      fs,
    );
    assertExprError(() => run('templatefile("var.tftpl", {})', { p: 1 }, fs), {
      summary: "Error in function call",
      detail: 'var.tftpl:1:3: Unknown variable; There is no variable named "var".',
    });
  });
});
