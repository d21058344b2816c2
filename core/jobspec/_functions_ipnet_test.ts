import { assertEquals } from "../../tests/assert.ts";
import { assertArgError, assertCallError, run } from "./_expr_testing.ts";

Deno.test("cidrhost() numbers hosts from the start, or from the end when negative", () => {
  assertEquals(run('cidrhost("10.12.112.0/20", 16)'), "10.12.112.16");
  assertEquals(run('cidrhost("10.12.112.0/20", 268)'), "10.12.113.12");
  assertEquals(run('cidrhost("10.12.112.0/20", -1)'), "10.12.127.255");
  assertEquals(run('cidrhost("fd00:fd12:3456:7890:00a2::/72", 34)'), "fd00:fd12:3456:7890::22");
  assertCallError(
    'cidrhost("10.0.0.0/30", 4)',
    "cidrhost",
    "prefix of 30 does not accommodate a host numbered 4",
  );
  assertArgError('cidrhost("10.0.0.0", 1)', "prefix", "invalid CIDR expression");
  assertArgError('cidrhost("10.0.0.300/8", 1)', "prefix", "invalid CIDR expression");
});

Deno.test("cidrnetmask() gives the mask of a prefix", () => {
  assertEquals(run('cidrnetmask("172.16.0.0/12")'), "255.240.0.0");
  assertEquals(run('cidrnetmask("10.0.0.0/32")'), "255.255.255.255");
  assertEquals(run('cidrnetmask("::/16")'), "ffff::");
});

Deno.test("cidrsubnet() extends a prefix and numbers the subnet", () => {
  assertEquals(run('cidrsubnet("172.16.0.0/12", 4, 2)'), "172.18.0.0/16");
  assertEquals(run('cidrsubnet("10.1.2.0/24", 4, 15)'), "10.1.2.240/28");
  assertEquals(
    run('cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)'),
    "fd00:fd12:3456:7800:a200::/72",
  );
  assertCallError(
    'cidrsubnet("10.0.0.0/30", 4, 0)',
    "cidrsubnet",
    "insufficient address space to extend prefix of 30 by 4",
  );
  assertCallError(
    'cidrsubnet("10.0.0.0/8", 2, 4)',
    "cidrsubnet",
    "prefix extension of 2 does not accommodate a subnet numbered 4",
  );
});

Deno.test("cidrsubnets() allocates consecutive subnets of the given sizes", () => {
  assertEquals(run('cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)'), [
    "10.1.0.0/20",
    "10.1.16.0/20",
    "10.1.32.0/24",
    "10.1.48.0/20",
  ]);
  assertEquals(run('cidrsubnets("fd00:fd12:3456:7890::/56", 16, 16, 16, 32)'), [
    "fd00:fd12:3456:7800::/72",
    "fd00:fd12:3456:7800:100::/72",
    "fd00:fd12:3456:7800:200::/72",
    "fd00:fd12:3456:7800:300::/88",
  ]);
  assertEquals(run('cidrsubnets("10.0.0.0/8")'), []);
  assertArgError(
    'cidrsubnets("10.0.0.0/30", 1, 1, 1)',
    "newbits",
    "not enough remaining address space for a subnet with a prefix of 31 bits after 10.0.0.2/31",
  );
  assertArgError(
    'cidrsubnets("10.0.0.0/30", 0)',
    "newbits",
    "must extend prefix by at least one bit",
  );
  assertArgError(
    'cidrsubnets("10.0.0.0/30", 3)',
    "newbits",
    "would extend prefix to 33 bits, which is too long for an IPv4 address",
  );
});
