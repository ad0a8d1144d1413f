import { useState } from 'preact/hooks';
import { ErrorNote, TableScroll, ViewTitle } from '../components/ui';
import { useApp, useLoad } from '../lib/app-context';
import { formatTime } from '../lib/format';
import { link, navigate } from '../lib/route';
import type { AuditEvent } from '../lib/types';

const FILTERS = ['type', 'actor_user_id', 'subject_user_id', 'since', 'until'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

/** `2026-01-15T10:30` (a datetime-local value, read as UTC) → ISO with `Z`; ISO input passes through. */
function toIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

/** The audit log with its filters; pages by the server's cursor (newest first). */
export function AuditLog({ params }: { params: URLSearchParams }) {
  const { api } = useApp();
  const filters = Object.fromEntries(FILTERS.map((name) => [name, params.get(name) ?? ''])) as Filters;
  const cursor = params.get('cursor') ?? '';
  const [draft, setDraft] = useState(filters);
  const events = useLoad(
    () =>
      api.request<{ items: AuditEvent[]; next_cursor: string | null }>('GET', '/audit-events', {
        query: { ...filters, since: toIso(filters.since), until: toIso(filters.until), cursor, size: 50 },
      }),
    params.toString(),
  );
  // The cursors of the pages already seen (`-` for the first), so "Newer" goes back the way it came.
  const trail = (params.get('trail') ?? '').split(',').filter(Boolean);
  const previous = trail[trail.length - 1];
  const go = (query: Record<string, string>) => navigate(link('audit', query));

  return (
    <>
      <ViewTitle>Audit log</ViewTitle>
      <form
        class="toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          go({ ...draft });
        }}
      >
        {([
          ['type', 'Event type', 'text'],
          ['actor_user_id', 'Actor user ID', 'number'],
          ['subject_user_id', 'Subject user ID', 'number'],
          ['since', 'Since (UTC)', 'datetime-local'],
          ['until', 'Until (UTC)', 'datetime-local'],
        ] as const).map(([name, label, type]) => (
          <div class="field" key={name}>
            <label for={`audit-${name}`}>{label}</label>
            <input
              id={`audit-${name}`}
              type={type as 'text'}
              min={type === 'number' ? 1 : undefined}
              value={draft[name]}
              onInput={(event) => setDraft({ ...draft, [name]: event.currentTarget.value })}
            />
          </div>
        ))}
        <button type="submit">Apply filters</button>
      </form>
      {events.error !== undefined && <ErrorNote error={events.error} />}
      {events.data && (
        <>
          <AuditTable events={events.data.items} label="Audit events" busy={!events.current} />
          <nav class="pager" aria-label="Pages">
            <button
              type="button"
              class="button-secondary"
              disabled={previous === undefined}
              onClick={() => go({ ...filters, cursor: previous === '-' ? '' : (previous ?? ''), trail: trail.slice(0, -1).join(',') })}
            >
              Newer
            </button>
            <button
              type="button"
              class="button-secondary"
              disabled={!events.data.next_cursor}
              onClick={() => go({ ...filters, cursor: events.data!.next_cursor ?? '', trail: [...trail, cursor || '-'].join(',') })}
            >
              Older
            </button>
          </nav>
        </>
      )}
    </>
  );
}

/** Events as a table; `details` shown as compact JSON (the server never puts secrets there). */
export function AuditTable({ events, label, busy = false }: { events: AuditEvent[]; label: string; busy?: boolean }) {
  if (events.length === 0) return <p>No events.</p>;
  return (
    <TableScroll label={label}>
      <table class="compact audit" aria-busy={busy ? 'true' : 'false'}>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Type</th>
            <th scope="col">Actor</th>
            <th scope="col">Subject</th>
            <th scope="col">IP address</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event.id}>
              <td>{formatTime(event.occurred_at)}</td>
              <td>
                <code>{event.type}</code>
              </td>
              <td>{event.actor_user_id === null ? 'anonymous' : <a href={link(`users/${event.actor_user_id}`)}>{event.actor_user_id}</a>}</td>
              <td>{event.subject_user_id === null ? '—' : <a href={link(`users/${event.subject_user_id}`)}>{event.subject_user_id}</a>}</td>
              <td>{event.ip_address ?? '—'}</td>
              <td class="wrap">
                <code>{event.details ? JSON.stringify(event.details) : ''}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
