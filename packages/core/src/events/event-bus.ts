import type { ExecutionContext } from '../context/execution-context';
import type { Logger } from '../logger/logger';
import type { CoreEventName, CoreEvents, CoreEventSource, CoreHook, CoreHooks, CoreListener, HookContext } from './core-events';

/** What the bus needs from the data layer: the open transaction's commit and its queries. */
export interface EventTransactions {
  /** Runs `callback` after the open transaction commits (never on rollback), or at once outside one. */
  afterCommit(callback: () => void): void;
  /** Runs SQL in the open transaction (or on its own outside one). */
  query<T>(sql: string, replacements?: Record<string, unknown>): Promise<T[]>;
}

type AnyHook = (payload: unknown, context: HookContext) => void | Promise<void>;
type AnyListener = (payload: unknown) => void | Promise<void>;

/**
 * The core's events (see {@link CoreEvents}): the services `emit` inside the unit of work
 * of the change; hooks run there and then (a throw propagates and rolls the change back),
 * listeners are queued for after the commit.
 */
export class EventBus implements CoreEventSource {
  private readonly hooks = new Map<CoreEventName, AnyHook[]>();
  private readonly listeners = new Map<CoreEventName, Set<AnyListener>>();

  constructor(
    private readonly transactions: EventTransactions,
    private readonly executionContext: ExecutionContext,
    private readonly logger: Logger,
    hooks: CoreHooks = {},
  ) {
    for (const [event, given] of Object.entries(hooks) as [CoreEventName, AnyHook | AnyHook[]][]) {
      for (const hook of Array.isArray(given) ? given : [given]) this.hook(event, hook as CoreHook<typeof event>);
    }
  }

  /** Adds a hook (the core's own, e.g. the audit log, or a host's from the options). */
  hook<E extends CoreEventName>(event: E, hook: CoreHook<E>): void {
    this.hooks.set(event, [...(this.hooks.get(event) ?? []), hook as AnyHook]);
  }

  on<E extends CoreEventName>(event: E, listener: CoreListener<E>): () => void {
    const set = this.listeners.get(event) ?? new Set<AnyListener>();
    set.add(listener as AnyListener);
    this.listeners.set(event, set);
    return () => void set.delete(listener as AnyListener);
  }

  /**
   * Runs the hooks of `event` in order (awaiting each), then queues its listeners for after
   * the commit. Call it inside the unit of work of the change.
   *
   * @throws whatever a hook throws: the caller's transaction then rolls back.
   */
  async emit<E extends CoreEventName>(event: E, payload: CoreEvents[E]): Promise<void> {
    const hooks = this.hooks.get(event);
    if (hooks) {
      const context: HookContext = {
        requestId: this.executionContext.requestId,
        query: (sql, replacements) => this.transactions.query(sql, replacements),
      };
      for (const hook of hooks) await hook(payload, context);
    }
    if (this.listeners.get(event)?.size) this.transactions.afterCommit(() => this.deliver(event, payload));
  }

  private deliver(event: CoreEventName, payload: unknown): void {
    for (const listener of this.listeners.get(event) ?? []) {
      // A listener observes; its failure is logged and changes nothing, sync or async.
      const fail = (error: unknown) => this.logger.error({ err: error, event }, 'event listener failed');
      try {
        Promise.resolve(listener(payload)).catch(fail);
      } catch (error) {
        fail(error);
      }
    }
  }
}

export const EVENT_BUS = Symbol.for('app.EventBus');
