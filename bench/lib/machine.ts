import { availableParallelism, cpus, totalmem } from 'node:os';
import pg from 'pg';

/** What the figures were measured on. */
export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  postgres: string;
}

/** Describes this machine and the PostgreSQL server behind `databaseUrl`. */
export async function describeMachine(databaseUrl: string): Promise<Machine> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return {
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      cores: availableParallelism(),
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      postgres: `PostgreSQL ${rows[0]?.server_version ?? '?'}`,
    };
  } finally {
    await client.end();
  }
}

/** One line for the top of a report. */
export function formatMachine(machine: Machine): string {
  return `${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB RAM, Node ${machine.node}, ${machine.postgres}`;
}
