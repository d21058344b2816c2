/**
 * Hash, password and UUID functions of go-cty-funcs: `md5`, `sha1`, `sha256`, `sha512` (hex of
 * the UTF-8 bytes), `bcrypt` (Go's `$2a$` hashes, cost 10 by default), `rsadecrypt` (PKCS #1
 * v1.5), `uuidv4` and `uuidv5`.
 *
 * @module
 */
import bcryptjs from "bcryptjs";
import { Buffer } from "node:buffer";
import { createHash, createPrivateKey, randomUUID } from "node:crypto";
import { FuncError, type FuncSpec, param, stringFunc } from "./_functions_api.ts";
import { T } from "./_hcl_types.ts";

const hash = (algorithm: string) =>
  stringFunc(["str"], (s) => createHash(algorithm).update(s, "utf8").digest("hex"));

function bcrypt(s: string, costs: number[]): string {
  if (costs.length > 1) throw new FuncError("bcrypt() takes no more than two arguments");
  let cost = costs[0] ?? 10;
  if (!Number.isInteger(cost)) throw new FuncError("value must be a whole number");
  if (cost > 31) {
    throw new FuncError(
      `error occured generating password crypto/bcrypt: cost ${cost} is outside allowed range (4,31)`,
    );
  }
  if (cost < 4) cost = 10;
  if (new TextEncoder().encode(s).length > 72) {
    throw new FuncError(
      "error occured generating password bcrypt: password length exceeds 72 bytes",
    );
  }
  const salt = bcryptjs.genSaltSync(cost).replace(/^\$2b\$/, "$2a$");
  return bcryptjs.hashSync(s, salt);
}

const NAMESPACES: Record<string, string> = {
  dns: "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
  url: "6ba7b811-9dad-11d1-80b4-00c04fd430c8",
  oid: "6ba7b812-9dad-11d1-80b4-00c04fd430c8",
  x500: "6ba7b814-9dad-11d1-80b4-00c04fd430c8",
};

function uuidBytes(s: string): Uint8Array | null {
  const m =
    /^(?:urn:uuid:)?\{?([0-9a-fA-F]{8})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{12})\}?$/
      .exec(s);
  if (!m || (s.startsWith("{") !== s.endsWith("}"))) return null;
  return Buffer.from(m.slice(1).join(""), "hex");
}

function formatUUID(b: Uint8Array): string {
  const h = Buffer.from(b).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${
    h.slice(20, 32)
  }`;
}

/** A name-based (SHA-1) UUID, RFC 4122 version 5. */
export function uuidV5(namespace: string, name: string): string {
  const ns = uuidBytes(NAMESPACES[namespace] ?? namespace);
  if (!ns) {
    throw new FuncError(`uuidv5() doesn't support namespace ${namespace} (invalid UUID format)`);
  }
  const digest = createHash("sha1").update(ns).update(name, "utf8").digest().subarray(0, 16);
  digest[6] = (digest[6]! & 0x0f) | 0x50;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  return formatUUID(digest);
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  base %= mod;
  for (; exp > 0n; exp >>= 1n) {
    if (exp & 1n) result = (result * base) % mod;
    base = (base * base) % mod;
  }
  return result;
}

const b64urlToBig = (s: string) =>
  BigInt("0x" + (Buffer.from(s, "base64url").toString("hex") || "0"));

function rsaDecrypt(ciphertext: string, pem: string): string {
  const clean = ciphertext.replace(/[\r\n]/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) {
    throw new FuncError(
      `failed to decode input ${JSON.stringify(ciphertext)}: cipher text must be base64-encoded`,
    );
  }
  let jwk: { kty?: string | undefined; n?: string | undefined; d?: string | undefined };
  try {
    jwk = createPrivateKey(pem).export({ format: "jwk" });
  } catch (err) {
    throw new FuncError(`invalid private key: ${(err as Error).message}`);
  }
  if (jwk.kty !== "RSA" || !jwk.n || !jwk.d) {
    throw new FuncError("invalid private key type: not an RSA key");
  }
  const n = b64urlToBig(jwk.n), d = b64urlToBig(jwk.d);
  const k = Buffer.from(jwk.n, "base64url").length;
  const c = Buffer.from(clean, "base64");
  const cInt = BigInt("0x" + (c.toString("hex") || "0"));
  if (c.length !== k || cInt >= n) {
    throw new FuncError("failed to decrypt: crypto/rsa: decryption error");
  }
  const em = Buffer.from(modPow(cInt, d, n).toString(16).padStart(k * 2, "0"), "hex");
  const sep = em.indexOf(0, 2);
  if (em[0] !== 0 || em[1] !== 2 || sep < 10) {
    throw new FuncError("failed to decrypt: crypto/rsa: decryption error");
  }
  return new TextDecoder().decode(em.subarray(sep + 1));
}

/** The crypto and UUID functions by name. */
export const CRYPTO_FUNCTIONS: ReadonlyMap<string, FuncSpec> = new Map<string, FuncSpec>([
  ["md5", hash("md5")],
  ["sha1", hash("sha1")],
  ["sha256", hash("sha256")],
  ["sha512", hash("sha512")],
  ["bcrypt", {
    params: [param("str", T.string)],
    varParam: param("cost", T.number),
    impl: ([s, ...costs]) => bcrypt(s as string, costs as number[]),
  }],
  ["rsadecrypt", stringFunc(["ciphertext", "privatekey"], rsaDecrypt)],
  ["uuidv4", { params: [], impl: () => randomUUID() }],
  ["uuidv5", stringFunc(["namespace", "name"], uuidV5)],
]);
