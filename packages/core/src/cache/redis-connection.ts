import type { Redis, RedisOptions } from 'ioredis';
import { loadOptionalPeer } from '../database/optional-peer';
import { silentLogger, type Logger } from '../logger/logger';

/**
 * ioredis settings that make every command fail within a few hundred milliseconds while
 * Redis is unreachable, instead of queueing, and keep reconnecting in the background.
 */
export function fastFailRedisOptions(): RedisOptions {
  return {
    // While disconnected a command fails at once rather than waiting in a queue.
    enableOfflineQueue: false,
    // A command caught by a dropped connection fails instead of being resent later.
    maxRetriesPerRequest: 0,
    connectTimeout: 500,
    commandTimeout: 500,
    // Never give up: the store must come back by itself when Redis does.
    retryStrategy: (attempt) => Math.min(100 * attempt, 1000),
  };
}

/** Options of {@link RedisConnection}. Give `url` or `client`. */
export interface RedisConnectionOptions {
  /** `redis://…`: the connection creates its own client, and quits it on close. */
  url?: string;
  /** An existing client, used as given and never quit here. */
  client?: Redis;
  /** What log lines call the store, e.g. `Redis cache`. */
  name: string;
  /** What the store does while Redis is down, for the outage log line. */
  whileDown: string;
  logger?: Logger;
  /** Longest wait for one command, ours on top of the client's own. Default 1000 ms. */
  commandTimeoutMs?: number;
  /** Called once each time Redis answers again after an outage. */
  onRecovered?: () => void;
}

/** Thrown by {@link RedisConnection.run} when Redis is not connected. */
export class RedisUnavailableError extends Error {
  constructor(message = 'Redis is not connected') {
    super(message);
    this.name = 'RedisUnavailableError';
  }
}

const PROBE_INTERVAL_MS = 1000;



/**
 * One Redis client plus its up/down state, shared logic of RedisCache and RedisRateLimiter:
 * it logs an outage once and the recovery once, and runs commands only while connected.
 */
export class RedisConnection {
  readonly client: Redis;
  private readonly owned: boolean;
  private readonly logger: Logger;
  private up = true;
  private closed = false;
  /** While down, when the next command may go through to probe Redis. */
  private probeAt = 0;
  private readonly firstAttempt: Promise<void>;
  private readonly listeners: Array<[string, (...args: unknown[]) => void]>;

  constructor(private readonly options: RedisConnectionOptions) {
    if (options.client) {
      this.client = options.client;
      this.owned = false;
    } else if (options.url) {
      // ioredis is an optional peer: loaded only when a Redis URL is actually used.
      const { Redis: RedisClient } = loadOptionalPeer<typeof import('ioredis')>('ioredis', `${options.name} has a Redis URL`);
      this.client = new RedisClient(options.url, fastFailRedisOptions());
      this.owned = true;
    } else {
      throw new Error(`${options.name}: give a Redis url or client`);
    }
    this.logger = options.logger ?? silentLogger;
    this.firstAttempt = new Promise((resolve) => {
      this.client.once('ready', () => resolve());
      this.client.once('error', () => resolve());
      this.client.once('end', () => resolve());
    });
    this.listeners = [
      // Without an error listener ioredis prints every failed reconnect to the console.
      ['error', (error) => this.markDown(error)],
      ['close', () => this.markDown(new RedisUnavailableError('connection closed'))],
      ['ready', () => this.markUp()],
    ];
    for (const [event, listener] of this.listeners) this.client.on(event, listener);
    if (!this.owned && this.client.status === 'wait') this.client.connect().catch(() => {});
  }

  /** True while the last thing seen of Redis was an answer. */
  get available(): boolean {
    return this.up && this.client.status === 'ready';
  }

  /**
   * Resolves once connected; rejects after `timeoutMs`. Tests and startup checks use it to
   * fail loudly when a configured Redis is unreachable.
   */
  async whenReady(timeoutMs = 2000): Promise<void> {
    if (this.client.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.client.off('ready', onReady);
        reject(new RedisUnavailableError(`${this.options.name}: Redis not reachable within ${timeoutMs} ms`));
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      this.client.once('ready', onReady);
    });
  }

  /**
   * Runs `command` if Redis is connected, bounded by the command timeout. Rejects with
   * {@link RedisUnavailableError} when it is not; any failure other than a Redis reply
   * error marks the connection down (logged once).
   */
  async run<T>(command: (client: Redis) => Promise<T>): Promise<T> {
    if (this.closed) throw new RedisUnavailableError('closed');
    // Right after start the first connect is still in flight: wait for it rather than
    // report a spurious outage on the first request.
    if (this.client.status !== 'ready') await withTimeout(this.firstAttempt, 1000).catch(() => {});
    if (this.client.status !== 'ready') throw new RedisUnavailableError();
    if (!this.up) {
      // Down on a connection that still looks open (a hung server): let one command per
      // second probe it, so the others fail at once instead of each waiting for a timeout.
      if (Date.now() < this.probeAt) throw new RedisUnavailableError();
      this.probeAt = Date.now() + PROBE_INTERVAL_MS;
    }
    try {
      const result = await withTimeout(command(this.client), this.options.commandTimeoutMs ?? 1000);
      this.markUp();
      return result;
    } catch (error) {
      if ((error as Error).name !== 'ReplyError') this.markDown(error);
      throw error;
    }
  }

  /** Whether Redis answers a PING now. */
  async ping(): Promise<boolean> {
    try {
      await this.run((client) => client.ping());
      return true;
    } catch {
      return false;
    }
  }

  /** Quits the client if this connection created it; otherwise only detaches. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [event, listener] of this.listeners) this.client.off(event, listener);
    if (!this.owned) return;
    // Swallow the errors a closing client may still emit, now that our listener is gone.
    this.client.on('error', () => {});
    if (this.client.status === 'ready') {
      try {
        await withTimeout(this.client.quit(), 1000);
        return;
      } catch {
        // fall through to a hard disconnect
      }
    }
    this.client.disconnect();
  }

  private markDown(error: unknown): void {
    if (this.closed || !this.up) return;
    this.up = false;
    this.probeAt = Date.now() + PROBE_INTERVAL_MS;
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.warn(`${this.options.name} unavailable (${reason}); ${this.options.whileDown} until it returns.`);
  }

  private markUp(): void {
    if (this.closed || this.up) return;
    this.up = true;
    this.logger.info(`${this.options.name} available again.`);
    this.options.onRecovered?.();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisUnavailableError(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
