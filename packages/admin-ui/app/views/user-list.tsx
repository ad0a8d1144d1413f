import { useEffect, useState } from 'preact/hooks';
import { ErrorNote, errorText, TableScroll, ViewTitle, YesNo } from '../components/ui';
import { useApp, useLoad } from '../lib/app-context';
import { downloadExport } from '../lib/download';
import { formatNumber, formatTime } from '../lib/format';
import { link, navigate } from '../lib/route';
import type { Page, User } from '../lib/types';

const SORTABLE = [
  ['username', 'Username'],
  ['email', 'Email'],
  ['created_at', 'Created'],
] as const;

type SortField = (typeof SORTABLE)[number][0];

/** The list's state lives in the URL (`#/users?search=…&page=2`), so back and reload keep it. */
function readQuery(params: URLSearchParams) {
  const page = Number(params.get('page'));
  const size = Number(params.get('size'));
  const sortBy = params.get('sort_by');
  return {
    search: params.get('search') ?? '',
    is_active: params.get('is_active') ?? '',
    is_superuser: params.get('is_superuser') ?? '',
    page: Number.isInteger(page) && page > 0 ? page : 1,
    size: [10, 25, 50, 100].includes(size) ? size : 25,
    sort_by: (SORTABLE.some(([field]) => field === sortBy) ? sortBy : 'created_at') as SortField,
    sort_order: params.get('sort_order') === 'asc' ? 'asc' : ('desc' as 'asc' | 'desc'),
  };
}

type ListQuery = ReturnType<typeof readQuery>;

/** The users table: the server searches, filters, sorts and pages; one page is ever asked for. */
export function UserList({ params }: { params: URLSearchParams }) {
  const { api, notify } = useApp();
  const query = readQuery(params);
  const key = JSON.stringify(query);
  const users = useLoad(() => api.request<Page<User>>('GET', '/users', { query }), key);
  const [search, setSearch] = useState(query.search);
  const [exporting, setExporting] = useState('');
  useEffect(() => setSearch(query.search), [query.search]);

  const go = (changes: Partial<ListQuery>) => navigate(link('users', { ...query, ...changes }));
  const exportAs = async (format: 'csv' | 'json') => {
    setExporting(format);
    try {
      const name = await downloadExport(api, `/export/users/${format}`, `users_export.${format}`);
      notify(`Downloaded ${name}`);
    } catch (error) {
      notify(`Export failed: ${errorText(error)}`);
    } finally {
      setExporting('');
    }
  };
  const page = users.data;

  return (
    <>
      <ViewTitle>Users</ViewTitle>
      <form
        class="toolbar"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          go({ search: search.trim(), page: 1 });
        }}
      >
        <div class="field">
          <label for="user-search">Search username, email or name</label>
          <input id="user-search" type="search" value={search} maxLength={100} onInput={(event) => setSearch(event.currentTarget.value)} />
        </div>
        <button type="submit">Search</button>
        <FilterSelect label="Active" name="is_active" value={query.is_active} onChange={(value) => go({ is_active: value, page: 1 })} />
        <FilterSelect label="Superuser" name="is_superuser" value={query.is_superuser} onChange={(value) => go({ is_superuser: value, page: 1 })} />
        <div class="field">
          <label for="page-size">Per page</label>
          <select id="page-size" value={String(query.size)} onChange={(event) => go({ size: Number(event.currentTarget.value), page: 1 })}>
            {[10, 25, 50, 100].map((size) => (
              <option key={size} value={String(size)}>
                {size}
              </option>
            ))}
          </select>
        </div>
      </form>
      <div class="actions">
        <a class="button" href={link('users/new')}>
          Create user
        </a>
        <button type="button" class="button-secondary" disabled={exporting !== ''} onClick={() => exportAs('csv')}>
          {exporting === 'csv' ? 'Exporting…' : 'Export CSV'}
        </button>
        <button type="button" class="button-secondary" disabled={exporting !== ''} onClick={() => exportAs('json')}>
          {exporting === 'json' ? 'Exporting…' : 'Export JSON'}
        </button>
      </div>
      {users.error !== undefined && <ErrorNote error={users.error} missing="The user list is not available on this server." />}
      {page && (
        <>
          <p class="muted" id="users-summary" aria-live="polite">
            {users.current
              ? `${formatNumber(page.total)} ${page.total === 1 ? 'user' : 'users'}${query.search ? ` matching “${query.search}”` : ''} · page ${page.page} of ${Math.max(1, page.pages)}`
              : 'Loading…'}
          </p>
          <TableScroll label="Users">
            <table class="users" aria-busy={users.current ? 'false' : 'true'}>
              <thead>
                <tr>
                  <th scope="col">ID</th>
                  {SORTABLE.map(([field, label]) => (
                    <SortHeader key={field} field={field} label={label} query={query} onSort={go} />
                  ))}
                  <th scope="col">Full name</th>
                  <th scope="col">Active</th>
                  <th scope="col">Superuser</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((user) => (
                  <tr key={user.id}>
                    <td>{user.id}</td>
                    <td>
                      <a href={link(`users/${user.id}`)}>{user.username}</a>
                    </td>
                    <td>{user.email}</td>
                    <td>{formatTime(user.created_at)}</td>
                    <td>{user.full_name ?? '—'}</td>
                    <td>
                      <YesNo value={user.is_active} />
                    </td>
                    <td>
                      <YesNo value={user.is_superuser} />
                    </td>
                  </tr>
                ))}
                {page.items.length === 0 && (
                  <tr>
                    <td colSpan={7}>No users on this page.</td>
                  </tr>
                )}
              </tbody>
            </table>
          </TableScroll>
          <nav class="pager" aria-label="Pages">
            <button type="button" class="button-secondary" disabled={query.page <= 1} onClick={() => go({ page: query.page - 1 })}>
              Previous page
            </button>
            <span>
              Page {page.page} of {Math.max(1, page.pages)}
            </span>
            <button type="button" class="button-secondary" disabled={query.page >= page.pages} onClick={() => go({ page: query.page + 1 })}>
              Next page
            </button>
          </nav>
        </>
      )}
      {!page && users.loading && <p class="muted">Loading…</p>}
    </>
  );
}

function FilterSelect(props: { label: string; name: string; value: string; onChange(value: string): void }) {
  const id = `filter-${props.name}`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select id={id} value={props.value} onChange={(event) => props.onChange(event.currentTarget.value)}>
        <option value="">Any</option>
        <option value="true">Yes</option>
        <option value="false">No</option>
      </select>
    </div>
  );
}

/** A column header that sorts by its field; a second press flips the order. */
function SortHeader(props: { field: SortField; label: string; query: ListQuery; onSort(changes: Partial<ListQuery>): void }) {
  const active = props.query.sort_by === props.field;
  const order = active ? props.query.sort_order : undefined;
  const next = active && order === 'asc' ? 'desc' : 'asc';
  return (
    <th scope="col" aria-sort={order === 'asc' ? 'ascending' : order === 'desc' ? 'descending' : 'none'}>
      <button type="button" class="sort" onClick={() => props.onSort({ sort_by: props.field, sort_order: next, page: 1 })}>
        {props.label}
        <span aria-hidden="true">{order === 'asc' ? ' ▲' : order === 'desc' ? ' ▼' : ''}</span>
        <span class="visually-hidden">{`, sort ${next === 'asc' ? 'ascending' : 'descending'}`}</span>
      </button>
    </th>
  );
}
