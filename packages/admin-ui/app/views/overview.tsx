import { useState } from 'preact/hooks';
import { SignupChart } from '../components/signup-chart';
import { ErrorNote, ViewTitle } from '../components/ui';
import { useApp, useLoad } from '../lib/app-context';
import { formatNumber, formatTime } from '../lib/format';
import type { DashboardStats, SignupDay } from '../lib/types';

const CARDS: Array<[keyof DashboardStats, string]> = [
  ['total_users', 'Total users'],
  ['active_users', 'Active'],
  ['inactive_users', 'Inactive'],
  ['superusers', 'Superusers'],
  ['new_users_today', 'New today (UTC)'],
  ['new_users_week', 'New in 7 days'],
];

/** The stat cards and the signups chart, both reloaded in the background every minute. */
export function Overview() {
  const { api } = useApp();
  const [days, setDays] = useState(30);
  const stats = useLoad(() => api.request<DashboardStats>('GET', '/dashboard/stats'), 'stats', 60_000);
  const signups = useLoad(
    () => api.request<{ days: SignupDay[] }>('GET', '/dashboard/signups', { query: { days } }),
    `signups-${days}`,
    60_000,
  );
  return (
    <>
      <ViewTitle>Overview</ViewTitle>
      <section aria-labelledby="stats-title">
        <h2 id="stats-title">Users</h2>
        {stats.error !== undefined && <ErrorNote error={stats.error} />}
        {stats.data && (
          <>
            <ul class="cards">
              {CARDS.map(([key, label]) => (
                <li class="card stat" key={key} data-stat={key}>
                  <span class="stat-label">{label}</span>
                  <span class="stat-value">{formatNumber(stats.data![key] as number)}</span>
                </li>
              ))}
            </ul>
            <p class="muted">As of {formatTime(stats.data.timestamp)} (figures are cached for up to a minute).</p>
          </>
        )}
        {!stats.data && stats.loading && <p class="muted">Loading…</p>}
      </section>
      <section aria-labelledby="signups-title" class="card">
        <div class="section-head">
          <h2 id="signups-title">Signups per day</h2>
          <div class="inline-label">
            <label for="signup-days">Days</label>
            <select id="signup-days" value={String(days)} onChange={(event) => setDays(Number(event.currentTarget.value))}>
              {[7, 30, 90, 365].map((value) => (
                <option value={String(value)} key={value}>
                  {value}
                </option>
              ))}
            </select>
          </div>
        </div>
        {signups.error !== undefined && !signups.data && <ErrorNote error={signups.error} />}
        {signups.data && <SignupChart days={signups.data.days} />}
      </section>
    </>
  );
}
