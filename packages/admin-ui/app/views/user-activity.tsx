import { ErrorNote, errorText, TableScroll } from '../components/ui';
import { useApp, useLoad } from '../lib/app-context';
import { formatTime } from '../lib/format';
import { link } from '../lib/route';
import type { AuditEvent, SessionInfo } from '../lib/types';
import { AuditTable } from './audit-log';

/** The user's active sessions (`GET /users/:id/sessions`) and "revoke all". */
export function UserSessions({ userId, onRevoked }: { userId: number; onRevoked(): void }) {
  const { api, notify } = useApp();
  const sessions = useLoad(() => api.request<SessionInfo[]>('GET', `/users/${userId}/sessions`), String(userId));
  const revoke = async () => {
    try {
      await api.request('DELETE', `/users/${userId}/sessions`);
      notify('Every session of this user has ended.');
      sessions.reload();
      onRevoked();
    } catch (error) {
      notify(errorText(error));
    }
  };
  return (
    <section class="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      {sessions.error !== undefined && <ErrorNote error={sessions.error} />}
      {sessions.data && (
        <>
          {sessions.data.length === 0 ? (
            <p>No active sessions.</p>
          ) : (
            <TableScroll label="Sessions">
              <table class="compact">
                <thead>
                  <tr>
                    <th scope="col">Started</th>
                    <th scope="col">Last used</th>
                    <th scope="col">Ends if unused</th>
                    <th scope="col">IP address</th>
                    <th scope="col">Browser</th>
                  </tr>
                </thead>
                <tbody>
                  {sessions.data.map((session) => (
                    <tr key={session.id}>
                      <td>{formatTime(session.created_at)}</td>
                      <td>{formatTime(session.last_used_at)}</td>
                      <td>{formatTime(session.expires_at)}</td>
                      <td>{session.ip_address ?? '—'}</td>
                      <td class="wrap">{session.user_agent ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
          <button type="button" class="button-secondary" disabled={sessions.data.length === 0} onClick={revoke}>
            Revoke all sessions
          </button>
        </>
      )}
    </section>
  );
}

/** The newest audit events about this user; loaded again when `version` says the page changed something. */
export function UserAudit({ userId, version }: { userId: number; version: number }) {
  const { api } = useApp();
  const events = useLoad(
    () => api.request<{ items: AuditEvent[] }>('GET', '/audit-events', { query: { subject_user_id: userId, size: 20 } }),
    `${userId}-${version}`,
  );
  return (
    <section class="card" aria-labelledby="user-audit-title">
      <div class="section-head">
        <h2 id="user-audit-title">Audit trail</h2>
        {/* Some events are written just after their answer (a reset mail is sent in the background). */}
        <button type="button" class="button-secondary" onClick={events.reload}>
          Refresh
        </button>
      </div>
      {events.error !== undefined && <ErrorNote error={events.error} />}
      {events.data && <AuditTable events={events.data.items} label="Audit trail of this user" />}
      {events.data && (
        <p>
          <a href={link('audit', { subject_user_id: userId })}>All events about this user</a>
        </p>
      )}
    </section>
  );
}
