import { expect } from 'chai';
import { Container } from 'inversify';
import { CACHE } from '../cache/cache';
import { CORE_CONFIG } from '../config/options';
import { DATABASE_INFO } from '../database/database-info';
import { UNIT_OF_WORK } from '../database/unit-of-work';
import { RATE_LIMITER } from '../rate-limit/rate-limiter';
import { SESSION_REPOSITORY } from '../repositories/session-repository';
import { USER_REPOSITORY } from '../repositories/user-repository';
import { PASSWORD_HASHER } from '../security/password-hasher';
import { REFRESH_TOKEN_CODEC } from '../security/refresh-token-codec';
import { TOKEN_SERVICE } from '../security/token-service';
import { AuthService } from './auth-service';
import { DashboardService } from './dashboard-service';
import { ExportService } from './export-service';
import { HealthService } from './health-service';
import { MetricsService } from './metrics-service';
import { METRICS } from '../metrics/metrics';
import { PrometheusMetrics } from '../metrics/prometheus-metrics';
import { UserService } from './user-service';
import {
  fakeCache,
  fakeHasher,
  fakeSessionRepository,
  fakeTokens,
  testRefreshCodec,
  fakeUnitOfWork,
  fakeUserRepository,
  makeRecord,
  testConfig,
  testEventBus,
  testUserModel,
} from './service-fakes';
import { CLOCK, systemClock } from '../clock/clock';
import { EXECUTION_CONTEXT, ExecutionContext } from '../context/execution-context';
import { USER_FIELDS } from '../domain/user-fields';
import { EVENT_BUS } from '../events/event-bus';
import { USER_SCHEMAS } from '../schemas/user';

// tsx emits no decorator metadata: this fails if any constructor parameter lacks @inject.
describe('services in a container', () => {
  it('resolves every service from the port tokens alone', async () => {
    const container = new Container();
    const uow = fakeUnitOfWork();
    const users = fakeUserRepository();
    users.getByUsername.resolves(makeRecord());
    users.getRecordById.resolves(makeRecord());
    container.bind(USER_REPOSITORY).toConstantValue(users);
    container.bind(SESSION_REPOSITORY).toConstantValue(fakeSessionRepository());
    container.bind(UNIT_OF_WORK).toConstantValue(uow);
    container.bind(PASSWORD_HASHER).toConstantValue(fakeHasher());
    container.bind(TOKEN_SERVICE).toConstantValue(fakeTokens());
    container.bind(REFRESH_TOKEN_CODEC).toConstantValue(testRefreshCodec());
    container.bind(CACHE).toConstantValue(fakeCache());
    container.bind(RATE_LIMITER).toConstantValue(fakeCache());
    container.bind(CORE_CONFIG).toConstantValue(testConfig());
    container.bind(METRICS).toConstantValue(new PrometheusMetrics());
    container.bind(DATABASE_INFO).toConstantValue({ provider: 'sqlite', ping: async () => undefined, poolMetrics: () => ({}) });
    const { fields, schemas } = testUserModel();
    container.bind(USER_FIELDS).toConstantValue(fields);
    container.bind(USER_SCHEMAS).toConstantValue(schemas);
    container.bind(EVENT_BUS).toConstantValue(testEventBus(uow));
    container.bind(CLOCK).toConstantValue(systemClock);
    container.bind(EXECUTION_CONTEXT).toConstantValue(new ExecutionContext());
    container.bind(AuthService).toSelf();
    container.bind(UserService).toSelf();
    container.bind(DashboardService).toSelf();
    container.bind(MetricsService).toSelf();
    container.bind(HealthService).toSelf();
    container.bind(ExportService).toSelf();
    const auth = container.get(AuthService);
    expect((await auth.login({ username: 'alice', password: 'correct-horse' })).accessToken).to.equal('token-1');
    expect((await container.get(HealthService).check()).status).to.equal('healthy');
    expect(container.get(UserService)).to.be.instanceOf(UserService);
    expect(container.get(DashboardService)).to.be.instanceOf(DashboardService);
    expect(container.get(MetricsService)).to.be.instanceOf(MetricsService);
    expect(container.get(ExportService)).to.be.instanceOf(ExportService);
  });
});
