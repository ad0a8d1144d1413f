import { expect } from 'chai';
import type { DatabaseInfo } from '../database/database-info';
import { MetricsService } from './metrics-service';

describe('MetricsService', () => {
  describe('getPoolMetrics', () => {
    it('reports the pool with total_connections = checked_in + checked_out', async () => {
      const database: DatabaseInfo = {
        provider: 'postgres',
        ping: async () => undefined,
        poolMetrics: () => ({ pool_size: 10, checked_in: 3, checked_out: 2, waiting: 1, overflow: 0, total_connections: 0 }),
      };
      expect(await new MetricsService(database, undefined as never, {}, undefined as never).getPoolMetrics()).to.deep.equal({
        pool_size: 10,
        checked_in: 3,
        checked_out: 2,
        waiting: 1,
        overflow: 0,
        total_connections: 5,
      });
    });
  });
});
