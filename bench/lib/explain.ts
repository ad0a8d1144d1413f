import { createConsoleLogger, createCore, type Core, type Logger } from '@app/core';
import { benchDatabaseUrl, withClient } from './bench-database';

/**
 * A core on bench database `name` that records every SQL statement it runs, so a bench can
 * EXPLAIN exactly what the repository sent rather than a hand-written approximation.
 */
export interface RecordingCore {
  core: Core;
  /** Runs `operation` and returns the statements it issued, in order. */
  capture(operation: (core: Core) => Promise<unknown>): Promise<string[]>;
}

/** Opens a {@link RecordingCore} (no migrations: the bench core already ran them). */
export async function openRecordingCore(name: string): Promise<RecordingCore> {
  let sink: string[] | undefined;
  const record = (message: string) => sink?.push(message.replace(/^Executing \([^)]*\):\s*/, ''));
  const core = await createCore({
    environment: 'test',
    database: { url: benchDatabaseUrl(name), logging: true },
    cacheEnabled: false,
    limiterEnabled: false,
    bcryptRounds: 4,
    hashWorkers: 1,
    logger: { ...createConsoleLogger({ level: 'error' }), info: ((message: string) => record(message)) as Logger['info'] },
  });
  return {
    core,
    async capture(operation) {
      sink = [];
      try {
        await operation(core);
        return sink;
      } finally {
        sink = undefined;
      }
    },
  };
}

/** `EXPLAIN (ANALYZE, BUFFERS)` of one statement on bench database `name`, as text lines. */
export function explainAnalyze(name: string, sql: string): Promise<string> {
  return withClient(name, async (client) => {
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  });
}

/** Prints the plan of every SELECT `operation` issues, under a heading. */
export async function printPlans(
  name: string,
  recorder: RecordingCore,
  heading: string,
  operation: (core: Core) => Promise<unknown>,
): Promise<void> {
  const statements = await recorder.capture(operation);
  for (const sql of statements.filter((statement) => /^\s*(SELECT|WITH)/i.test(statement))) {
    console.log(`\n--- ${heading} ---\n${sql.replace(/;\s*$/, '')}\n${await explainAnalyze(name, sql.replace(/;\s*$/, ''))}`);
  }
}
