import autocannon from 'autocannon';
import { printTable } from './table';

/**
 * Measures `GET /health` on `baseUrl` alone, then again while 8 connections post logins
 * as fast as they are answered (each login is one bcrypt verify on the hashing pool, so the
 * pool's threads stay busy). Prints the /health latency of both runs and the login rate.
 * Target: p99 of /health under load < 25 ms.
 */
export async function measureHealthUnderLogins(
  baseUrl: string,
  credentials: { username: string; password: string },
  seconds: number,
): Promise<void> {
  const health = () => autocannon({ url: `${baseUrl}/health`, connections: 1, duration: seconds });
  const idle = await health();
  const loginLoad = autocannon({
    url: `${baseUrl}/api/v1/auth/login`,
    method: 'POST',
    connections: 8,
    duration: seconds + 2,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(credentials),
  });
  // Let the first logins reach the pool before /health is measured.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const loaded = await health();
  const logins = await loginLoad;
  if (logins.non2xx > 0 || logins.errors > 0) {
    throw new Error(`logins failed: ${logins.non2xx} non-2xx, ${logins.errors} errors`);
  }
  const row = (label: string, result: typeof idle) => [
    label,
    result.requests.average.toFixed(0),
    `${result.latency.p50} ms`,
    `${result.latency.p99} ms`,
    `${result.latency.max} ms`,
  ];
  printTable(['GET /health', 'req/s', 'p50', 'p99', 'max'], [row('alone', idle), row('during logins', loaded)]);
  const p99 = loaded.latency.p99;
  console.log(
    `\nLogins meanwhile: ${logins.requests.average.toFixed(1)} per second, p50 ${logins.latency.p50} ms. ` +
      `/health p99 under load ${p99} ms: ${p99 < 25 ? 'met' : 'MISSED'} (target < 25 ms).`,
  );
}
