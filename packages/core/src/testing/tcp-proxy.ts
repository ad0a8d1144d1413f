import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/** A TCP proxy on 127.0.0.1 that tests can cut and restore, to play a service going away. */
export interface TcpProxy {
  /** The local port the proxy listens on; it stays the same across cut and restore. */
  readonly port: number;
  /** `redis://127.0.0.1:<port><path>`, e.g. `proxy.url('/15')` for database 15. */
  url(path?: string): string;
  /** Destroys every open connection and refuses new ones (connection refused). */
  cut(): Promise<void>;
  /**
   * Keeps connections open but holds every byte back (a hung server): commands get no
   * answer until `restore()`, which delivers what was held, in order.
   */
  stall(): Promise<void>;
  /** Ends a cut (accepts connections again on the same port) or a stall (lets bytes flow). */
  restore(): Promise<void>;
  /** Destroys every connection and stops the proxy for good. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a TCP proxy in front of `target`, built on node:net. Clients connect to the
 * proxy's port; `cut()` makes the target look down (open sockets die, new connects are
 * refused), `stall()` makes it hang, `restore()` brings it back.
 *
 * @example
 * const redisUrl = new URL(process.env.TEST_REDIS_URL!);
 * const proxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
 * const cache = new RedisCache({ url: proxy.url(redisUrl.pathname) });
 * await proxy.cut();     // Redis "down"
 * await proxy.restore(); // Redis back
 * await proxy.close();
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let state: 'open' | 'cut' | 'stalled' | 'closed' = 'open';
  const flow = ([client, upstream]: [Socket, Socket]) => {
    client.pipe(upstream);
    upstream.pipe(client);
  };
  const server: Server = createServer((client) => {
    const pair: [Socket, Socket] = [client, connect(target.port, target.host)];
    pairs.add(pair);
    const end = () => {
      for (const socket of pair) socket.destroy();
      pairs.delete(pair);
    };
    for (const socket of pair) {
      socket.on('error', end);
      socket.on('close', end);
    }
    if (state === 'open') flow(pair);
  });

  await listen(server, 0);
  const port = (server.address() as AddressInfo).port;

  const dropAll = () => {
    for (const pair of pairs) for (const socket of pair) socket.destroy();
    pairs.clear();
  };
  const stopListening = () => new Promise<void>((resolve) => server.close(() => resolve()));

  return {
    port,
    url: (path = '') => `redis://127.0.0.1:${port}${path}`,
    async cut() {
      if (state === 'closed' || state === 'cut') return;
      state = 'cut';
      dropAll();
      await stopListening();
    },
    async stall() {
      if (state !== 'open') return;
      state = 'stalled';
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    async restore() {
      if (state === 'cut') await listen(server, port);
      if (state === 'stalled') for (const pair of pairs) flow(pair);
      if (state === 'cut' || state === 'stalled') state = 'open';
    },
    async close() {
      if (state === 'closed') return;
      const listening = state !== 'cut';
      state = 'closed';
      dropAll();
      if (listening) await stopListening();
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
