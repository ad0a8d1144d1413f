import { expect } from 'chai';
import { ExecutionContext } from '../context/execution-context';
import { AppError } from '../errors/app-error';
import { makeUser } from '../services/service-fakes';
import { createMemoryLogger } from '../testing/memory-logger';
import type { CoreEvents } from './core-events';
import { EventBus, type EventTransactions } from './event-bus';

/** Transactions whose commit the test triggers by hand. */
function manualTransactions() {
  const pending: Array<() => void> = [];
  const queries: string[] = [];
  const transactions: EventTransactions = {
    afterCommit: (callback) => void pending.push(callback),
    query: async (sql) => {
      queries.push(sql);
      return [];
    },
  };
  return { transactions, queries, commit: () => pending.splice(0).forEach((callback) => callback()), pending };
}

const created: CoreEvents['user.created'] = { user: makeUser(), actor: null, source: 'register' };

describe('EventBus', () => {
  it('runs hooks in order inside emit, with the request id and the transaction’s query', async () => {
    const { transactions, queries } = manualTransactions();
    const order: string[] = [];
    const context = new ExecutionContext();
    const bus = new EventBus(transactions, context, createMemoryLogger(), {
      'user.created': [
        async (payload, hook) => {
          order.push(`first:${payload.user.username}:${hook.requestId}`);
          await hook.query('INSERT INTO audit VALUES (1)');
        },
        () => void order.push('second'),
      ],
    });
    await context.run({ requestId: 'req-1' }, () => bus.emit('user.created', created));
    expect(order).to.deep.equal(['first:alice:req-1', 'second']);
    expect(queries).to.deep.equal(['INSERT INTO audit VALUES (1)']);
  });

  it('lets a hook veto by throwing: the error reaches the caller and later hooks do not run', async () => {
    const { transactions } = manualTransactions();
    const later: string[] = [];
    const bus = new EventBus(transactions, new ExecutionContext(), createMemoryLogger(), {
      'user.created': [
        () => {
          throw new AppError('authorization_error', 'Registrations from this domain are closed');
        },
        () => void later.push('ran'),
      ],
    });
    const error = await bus.emit('user.created', created).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(AppError);
    expect(later).to.deep.equal([]);
  });

  it('delivers listeners only after the commit, and not at all for a vetoed change', async () => {
    const { transactions, commit, pending } = manualTransactions();
    const seen: string[] = [];
    const bus = new EventBus(transactions, new ExecutionContext(), createMemoryLogger(), {
      'user.deleted': () => {
        throw new AppError('conflict_error', 'kept');
      },
    });
    bus.on('user.created', (payload) => void seen.push(payload.user.username));
    bus.on('user.deleted', () => void seen.push('deleted'));
    await bus.emit('user.created', created);
    expect(seen).to.deep.equal([]);
    commit();
    expect(seen).to.deep.equal(['alice']);
    await bus.emit('user.deleted', { user: makeUser(), actor: null }).catch(() => undefined);
    expect(pending).to.have.length(0);
    commit();
    expect(seen).to.deep.equal(['alice']);
  });

  it('logs a listener that throws (sync or async) and still delivers to the others', async () => {
    const { transactions, commit } = manualTransactions();
    const logger = createMemoryLogger();
    const bus = new EventBus(transactions, new ExecutionContext(), logger, {});
    const seen: string[] = [];
    bus.on('user.created', () => {
      throw new Error('sync listener failed');
    });
    bus.on('user.created', async () => {
      throw new Error('async listener failed');
    });
    bus.on('user.created', () => void seen.push('third'));
    await bus.emit('user.created', created);
    commit();
    expect(seen).to.deep.equal(['third']);
    // The async failure is logged when its promise settles.
    for (let i = 0; i < 100 && logger.lines.length < 2; i += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(logger.lines.map((line) => [line.level, line.message, (line.fields.err as Error).message])).to.deep.equal([
      ['error', 'event listener failed', 'sync listener failed'],
      ['error', 'event listener failed', 'async listener failed'],
    ]);
  });

  it('stops delivering to a listener once it unsubscribes', async () => {
    const { transactions, commit } = manualTransactions();
    const bus = new EventBus(transactions, new ExecutionContext(), createMemoryLogger(), {});
    let calls = 0;
    const off = bus.on('user.created', () => void (calls += 1));
    await bus.emit('user.created', created);
    off();
    await bus.emit('user.created', created);
    commit();
    expect(calls).to.equal(0);
  });
});
