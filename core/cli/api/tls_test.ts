/**
 * The API client over real TLS: an HTTPS server (node:https) that requires client
 * certificates, with a CA and certificates made by the `openssl` command for each run.
 */
import { assertEquals, assertRejects } from "../../../tests/assert.ts";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { envClientConfig } from "../meta.ts";
import { ApiClient, RequestError } from "./mod.ts";

const hasOpenssl = (() => {
  try {
    return new Deno.Command("openssl", { args: ["version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

async function openssl(dir: string, ...args: string[]) {
  const out = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" })
    .output();
  if (!out.success) throw new Error(`openssl ${args[0]}: ${new TextDecoder().decode(out.stderr)}`);
}

/** A CA, a server certificate for 127.0.0.1 and server.global.nomad, a client certificate. */
async function makeCerts(dir: string) {
  await Deno.writeTextFile(
    `${dir}/server.cnf`,
    "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:server.global.nomad\n" +
      "extendedKeyUsage=serverAuth\n",
  );
  await Deno.writeTextFile(
    `${dir}/client.cnf`,
    "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
  );
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  await openssl(
    dir,
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca-key.pem",
    "-out",
    "ca.pem",
    "-days",
    "1",
    "-subj",
    "/CN=test-ca",
  );
  for (const name of ["server", "client"]) {
    await openssl(
      dir,
      "req",
      ...ec,
      "-keyout",
      `${name}-key.pem`,
      "-out",
      `${name}.csr`,
      "-subj",
      `/CN=${name}`,
    );
    await openssl(
      dir,
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca-key.pem",
      "-CAcreateserial",
      "-out",
      `${name}.pem`,
      "-days",
      "1",
      "-extfile",
      `${name}.cnf`,
    );
  }
}

Deno.test({
  name: "ApiClient talks mutual TLS with -ca-cert, -client-cert and -client-key",
  ignore: !hasOpenssl,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "nomad-ts-tls-" });
    await makeCerts(dir);
    const read = (f: string) => Deno.readTextFileSync(`${dir}/${f}`);
    const server = createServer({
      key: read("server-key.pem"),
      cert: read("server.pem"),
      ca: read("ca.pem"),
      requestCert: true,
      rejectUnauthorized: true,
    }, (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      res.setHeader("X-Nomad-Index", "1");
      res.end(JSON.stringify(`hello ${peer.subject?.CN}`));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const leader = async (env: Record<string, string>) => {
      const client = await ApiClient.create(envClientConfig({ NOMAD_ADDR: address, ...env }));
      try {
        return await client.status.leader();
      } finally {
        client.close();
      }
    };
    const clientCert = {
      NOMAD_CLIENT_CERT: `${dir}/client.pem`,
      NOMAD_CLIENT_KEY: `${dir}/client-key.pem`,
    };
    try {
      await t.step("with the CA and a client certificate", async () => {
        assertEquals(
          await leader({ NOMAD_CACERT: `${dir}/ca.pem`, ...clientCert }),
          "hello client",
        );
      });
      await t.step("with -ca-path instead of -ca-cert", async () => {
        await Deno.mkdir(`${dir}/cas`);
        await Deno.copyFile(`${dir}/ca.pem`, `${dir}/cas/ca.pem`);
        assertEquals(await leader({ NOMAD_CAPATH: `${dir}/cas`, ...clientCert }), "hello client");
      });
      await t.step("without a client certificate the server refuses", async () => {
        await assertRejects(() => leader({ NOMAD_CACERT: `${dir}/ca.pem` }), RequestError);
      });
      await t.step("without the CA the certificate is not trusted", async () => {
        await assertRejects(
          () => leader(clientCert),
          RequestError,
          "x509: certificate signed by unknown authority",
        );
      });
      await t.step("-tls-skip-verify trusts the server without the CA", async () => {
        assertEquals(await leader({ NOMAD_SKIP_VERIFY: "true", ...clientCert }), "hello client");
      });
      await t.step("-tls-server-name checks the certificate against that name", async () => {
        assertEquals(
          await leader({
            NOMAD_CACERT: `${dir}/ca.pem`,
            NOMAD_TLS_SERVER_NAME: "server.global.nomad",
            ...clientCert,
          }),
          "hello client",
        );
        await assertRejects(
          () =>
            leader({
              NOMAD_CACERT: `${dir}/ca.pem`,
              NOMAD_TLS_SERVER_NAME: "other.example",
              ...clientCert,
            }),
          RequestError,
        );
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await Deno.remove(dir, { recursive: true });
    }
  },
});
