import { assert, assertEquals, assertThrows } from "../../tests/assert.ts";
import {
  isPrivateIPv4,
  renderSingleIP,
  renderSockaddr,
  type SockaddrEnv,
  SockaddrTemplateError,
  systemSockaddrEnv,
} from "./sockaddr.ts";

const ENV: SockaddrEnv = {
  interfaces: [
    { name: "lo", address: "127.0.0.1", family: "IPv4", cidr: "127.0.0.1/8" },
    { name: "lo", address: "::1", family: "IPv6", cidr: "::1/128" },
    { name: "eth0", address: "10.1.2.3", family: "IPv4", cidr: "10.1.2.3/16" },
    { name: "eth0", address: "fe80::1", family: "IPv6", cidr: "fe80::1/64" },
    { name: "eth1", address: "203.0.113.9", family: "IPv4", cidr: "203.0.113.9/24" },
    { name: "Network 1", address: "192.168.7.20", family: "IPv4", cidr: "192.168.7.20/24" },
  ],
  defaultInterface: "eth0",
};

Deno.test("renderSockaddr() evaluates the address functions Nomad configurations use", () => {
  assertEquals(renderSockaddr('{{ GetInterfaceIP "eth0" }}', ENV), "10.1.2.3");
  assertEquals(renderSockaddr('{{ GetInterfaceIP "Network 1" }}:4647', ENV), "192.168.7.20:4647");
  assertEquals(renderSockaddr('{{ GetInterfaceIPs "eth0" }}', ENV), "10.1.2.3 fe80::1");
  assertEquals(renderSockaddr("{{ GetPrivateIP }}", ENV), "10.1.2.3");
  assertEquals(renderSockaddr("{{ GetPrivateIPs }}", ENV), "10.1.2.3 192.168.7.20");
  assertEquals(renderSockaddr("{{GetPublicIP}}", ENV), "203.0.113.9");
  assertEquals(renderSockaddr("127.0.0.1", ENV), "127.0.0.1");
});

Deno.test("renderSockaddr() runs interface pipelines: include, exclude, limit, attr, join", () => {
  assertEquals(
    renderSockaddr(
      '{{ GetAllInterfaces | include "name" "^eth" | include "type" "IPv4" | join "address" " " }}',
      ENV,
    ),
    "10.1.2.3 203.0.113.9",
  );
  assertEquals(
    renderSockaddr(
      '{{ GetPrivateInterfaces | include "network" "192.168.0.0/16" | attr "address" }}',
      ENV,
    ),
    "192.168.7.20",
  );
  assertEquals(
    renderSockaddr('{{ GetAllInterfaces | exclude "name" "lo|eth" | limit 1 | attr "name" }}', ENV),
    "Network 1",
  );
  assertEquals(renderSockaddr('{{ GetDefaultInterfaces | attr "address" }}', ENV), "10.1.2.3");
});

Deno.test("renderSockaddr() names an interface that does not exist, with the ones that do", () => {
  const err = assertThrows(
    () => renderSockaddr('{{ GetInterfaceIP "Network 9" }}', ENV),
    SockaddrTemplateError,
  );
  assertEquals(
    err.message,
    'unable to parse address template "{{ GetInterfaceIP "Network 9" }}": no network interface named ' +
      '"Network 9" on this machine (interfaces: lo, eth0, eth1, Network 1)',
  );
});

Deno.test("renderSockaddr() refuses unknown functions and malformed pipelines clearly", () => {
  assertThrows(
    () => renderSockaddr("{{ GetPrivateIPv9 }}", ENV),
    SockaddrTemplateError,
    'function "GetPrivateIPv9" not defined',
  );
  assertThrows(
    () => renderSockaddr("{{ GetAllInterfaces }}", ENV),
    SockaddrTemplateError,
    'end the pipeline with attr "address"',
  );
  assertThrows(
    () => renderSockaddr('{{ GetPrivateIP | attr "address" }}', ENV),
    SockaddrTemplateError,
    "needs a list of interfaces",
  );
  assertThrows(
    () => renderSockaddr("{{ GetInterfaceIP }}", ENV),
    SockaddrTemplateError,
    "takes 1 argument(s), got 0",
  );
});

Deno.test("renderSingleIP() wants exactly one address", () => {
  assertEquals(renderSingleIP("{{ GetPublicIP }}", ENV), "203.0.113.9");
  assertThrows(
    () => renderSingleIP("{{ GetPrivateIPs }}", ENV),
    SockaddrTemplateError,
    "Multiple addresses found",
  );
  const none = { interfaces: ENV.interfaces.slice(0, 2), defaultInterface: null };
  assertThrows(
    () => renderSingleIP("{{ GetPrivateIP }}", none),
    SockaddrTemplateError,
    "No address found",
  );
});

Deno.test("isPrivateIPv4() follows RFC 1918 and RFC 6598", () => {
  assert(
    isPrivateIPv4("10.0.0.1") && isPrivateIPv4("172.31.255.255") && isPrivateIPv4("192.168.1.1"),
  );
  assert(isPrivateIPv4("100.64.0.1"));
  assert(!isPrivateIPv4("172.32.0.1") && !isPrivateIPv4("8.8.8.8") && !isPrivateIPv4("127.0.0.1"));
});

Deno.test("systemSockaddrEnv() sees this machine's loopback interface", () => {
  const env = systemSockaddrEnv();
  assert(env.interfaces.some((i) => i.address === "127.0.0.1"), JSON.stringify(env.interfaces));
  assertEquals(
    renderSockaddr(
      '{{ GetAllInterfaces | include "address" "^127\\\\.0\\\\.0\\\\.1$" | attr "address" }}',
      env,
    ),
    "127.0.0.1",
  );
});
