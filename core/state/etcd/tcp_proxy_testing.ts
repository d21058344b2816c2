/**
 * A TCP proxy for tests that must cut a client off etcd (and let it back) without touching
 * etcd itself.
 *
 * @module
 */

/**
 * A TCP proxy in front of an endpoint, so that a test can drop a client's connections (and
 * refuse new ones for a while) without touching etcd.
 */
export class TcpProxy implements AsyncDisposable {
  /** The proxy's URL, to give the client instead of the target's. */
  readonly url: string;
  readonly #listener: Deno.Listener;
  readonly #target: Deno.ConnectOptions;
  readonly #conns = new Set<Deno.Conn>();
  readonly #loop: Promise<void>;
  #blocked = false;
  #loseResponses = 0;
  #skipResponses = 0;

  constructor(target: string) {
    const u = new URL(target);
    this.#target = { hostname: u.hostname, port: Number(u.port) };
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.url = `http://127.0.0.1:${(this.#listener.addr as Deno.NetAddr).port}`;
    this.#loop = this.#accept();
  }

  async #accept(): Promise<void> {
    for await (const conn of this.#listener) {
      if (this.#blocked) {
        conn.close();
        continue;
      }
      this.#pipe(conn).catch(() => {});
    }
  }

  async #pipe(client: Deno.Conn): Promise<void> {
    let server: Deno.Conn;
    try {
      server = await Deno.connect(this.#target);
    } catch {
      client.close();
      return;
    }
    this.#conns.add(client);
    this.#conns.add(server);
    const close = () => {
      for (const c of [client, server]) {
        if (this.#conns.delete(c)) {
          try {
            c.close();
          } catch {
            // Closed already.
          }
        }
      }
    };
    const back = async () => {
      const writer = client.writable.getWriter();
      try {
        for await (const chunk of server.readable) {
          if (this.#skipResponses > 0) {
            this.#skipResponses--;
          } else if (this.#loseResponses > 0) {
            this.#loseResponses--;
            return;
          }
          await writer.write(chunk);
        }
      } finally {
        writer.releaseLock();
      }
    };
    await Promise.allSettled([
      client.readable.pipeTo(server.writable, { preventClose: true }),
      back(),
    ].map((p) => p.finally(close)));
  }

  /**
   * After `skip` answers, the next `n` are lost: the request reaches etcd (and is applied),
   * then the connection closes before the client sees the answer. (Assumes each answer
   * arrives in one read, as etcd's small ones do on loopback.)
   */
  loseResponses(n = 1, skip = 0): void {
    this.#loseResponses = n;
    this.#skipResponses = skip;
  }

  /** Closes every proxied connection, and refuses new ones while `block` is true. */
  drop(block = false): void {
    this.#blocked = block;
    for (const c of [...this.#conns]) {
      this.#conns.delete(c);
      try {
        c.close();
      } catch {
        // Closed already.
      }
    }
  }

  /** Accepts connections again. */
  unblock(): void {
    this.#blocked = false;
  }

  /** Stops the proxy. */
  async close(): Promise<void> {
    this.drop(true);
    this.#listener.close();
    await this.#loop.catch(() => {});
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
