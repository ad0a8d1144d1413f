import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/** A TCP proxy on 127.0.0.1 that tests can cut and restore, to play a service going away. */
export interface TcpProxy {
  /** The local port the proxy listens on; it stays the same across cut and restore. */
  readonly port: number;
  /** `redis://127.0.0.1:<port><path>`, e.g. `proxy.url('/15')` for database 15. */
  url(path?: string): string;
  /** Destroys every open connection and refuses new ones (connection refused). */
  cut(): Promise<void>;
  /** Accepts connections again on the same port. */
  restore(): Promise<void>;
  /** Destroys every connection and stops the proxy for good. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a TCP proxy in front of `target`, built on node:net. Clients connect to the
 * proxy's port; `cut()` makes the target look down (open sockets die, new connects are
 * refused), `restore()` brings it back.
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
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });

  await listen(server, 0);
  const port = (server.address() as AddressInfo).port;
  let state: 'open' | 'cut' | 'closed' = 'open';

  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  const stopListening = () => new Promise<void>((resolve) => server.close(() => resolve()));

  return {
    port,
    url: (path = '') => `redis://127.0.0.1:${port}${path}`,
    async cut() {
      if (state !== 'open') return;
      state = 'cut';
      dropAll();
      await stopListening();
    },
    async restore() {
      if (state !== 'cut') return;
      await listen(server, port);
      state = 'open';
    },
    async close() {
      if (state === 'closed') return;
      const wasOpen = state === 'open';
      state = 'closed';
      dropAll();
      if (wasOpen) await stopListening();
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
