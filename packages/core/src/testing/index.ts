/**
 * `@app/core/testing`: the suites an adapter or a port implementation must pass, and the
 * helpers they use. Uses mocha's `describe`/`it`, chai and supertest (dev dependencies of
 * the adapter under test).
 */
export { runConformanceSuite } from './conformance/index';
export type { ConformanceOptions } from './conformance/index';
export { cacheContract } from './cache-contract';
export { mailerContract } from './mailer-contract';
export type { DeliveredMail, MailerContractOptions, MailerUnderTest } from './mailer-contract';
export { MemoryOutbox } from '../mail/memory-outbox';
export type { WaitForMailOptions } from '../mail/memory-outbox';
export { passwordHasherContract } from './password-hasher-contract';
export type { PasswordHasherVariant } from './password-hasher-contract';
export { rateLimiterContract } from './rate-limiter-contract';
export { clockContract, loggerContract } from './port-contracts';
export { createMemoryLogger } from './memory-logger';
export type { LoggedLine, MemoryLogger } from './memory-logger';
export { createManualClock } from '../clock/clock';
export { waitFor } from './wait-for';
export { parseMetrics, sampleValue, type MetricSample } from './prometheus-text';
export { startTcpProxy } from './tcp-proxy';
export type { TcpProxy } from './tcp-proxy';
export { testDatabaseTargets } from './test-databases';
export { useTestCore } from './test-core';
export type { TestDatabase, TestDatabaseTarget } from './test-databases';
