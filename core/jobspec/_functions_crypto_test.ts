// deno-lint-ignore no-import-prefix -- the same package the implementation uses.
import bcryptjs from "npm:bcryptjs@3.0.3";
import { constants, generateKeyPairSync, publicEncrypt } from "node:crypto";
import { assert, assertEquals, assertMatch } from "../../tests/assert.ts";
import { assertArgError, assertCallError, run } from "./_expr_testing.ts";

Deno.test("md5(), sha1(), sha256() and sha512() give the hex digest of the UTF-8 text", () => {
  assertEquals(run('md5("hello world")'), "5eb63bbbe01eeed093cb22bb8f5acdc3");
  assertEquals(run('sha1("hello world")'), "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed");
  assertEquals(
    run('sha256("hello world")'),
    "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9",
  );
  assertEquals(
    run('sha512("hello world")'),
    "309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f",
  );
  assertEquals(run('md5("é")'), "66ddcd97cfdeabb2f6fb8a999b4bc76f");
  assertArgError("sha256([1])", "str", "string required");
});

Deno.test("bcrypt() hashes with Go's $2a$ prefix, cost 10 by default", () => {
  const h = run('bcrypt("hello")') as string;
  assertMatch(h, /^\$2a\$10\$/);
  assert(bcryptjs.compareSync("hello", h));
  assertMatch(run('bcrypt("hello", 5)') as string, /^\$2a\$05\$/);
  assertMatch(run('bcrypt("hello", 2)') as string, /^\$2a\$10\$/);
  assertCallError(
    'bcrypt("hello", 32)',
    "bcrypt",
    "error occured generating password crypto/bcrypt: cost 32 is outside allowed range (4,31)",
  );
  assertCallError('bcrypt("hello", 5, 6)', "bcrypt", "bcrypt() takes no more than two arguments");
});

Deno.test("uuidv4() gives random version 4 UUIDs", () => {
  const [a, b] = run("[uuidv4(), uuidv4()]") as string[];
  assertMatch(a!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert(a !== b);
});

Deno.test("uuidv5() hashes a name in a named or given namespace", () => {
  assertEquals(run('uuidv5("dns", "www.example.com")'), "2ed6657d-e927-568b-95e1-2665a8aea6a2");
  assertEquals(
    run('uuidv5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com")'),
    "2ed6657d-e927-568b-95e1-2665a8aea6a2",
  );
  assertMatch(run('uuidv5("url", "https://example.com/")') as string, /^[0-9a-f]{8}-[0-9a-f]{4}-5/);
  assertCallError('uuidv5("nope", "x")', "uuidv5", "uuidv5() doesn't support namespace nope");
});

Deno.test("rsadecrypt() decrypts PKCS #1 v1.5 ciphertext with a PEM private key", () => {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
  const pem = privateKey.export({ type: "pkcs1", format: "pem" }) as string;
  const cipher = publicEncrypt(
    { key: publicKey, padding: constants.RSA_PKCS1_PADDING },
    new TextEncoder().encode("s3cret é"),
  )
    .toString("base64");
  assertEquals(run("rsadecrypt(var.c, var.k)", { c: cipher, k: pem }), "s3cret é");
  assertCallError(
    'rsadecrypt("!!", "x")',
    "rsadecrypt",
    'failed to decode input "!!": cipher text must be base64-encoded',
  );
  assertCallError('rsadecrypt("AAAA", "not a key")', "rsadecrypt", "invalid private key");
});
