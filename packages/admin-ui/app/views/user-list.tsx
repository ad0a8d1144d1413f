import { useEffect, useState } from 'preact/hooks';
import { ErrorNote, errorText, FieldValue, TableScroll, ViewTitle } from '../components/ui';
import { useApp, useLoad, useUserSchema } from '../lib/app-context';
import { downloadExport } from '../lib/download';
import { hasNextPage, pageOfPages, usersSummary } from '../lib/list-page';
import { link, navigate } from '../lib/route';
import type { Page, User } from '../lib/types';
import type { UserSchema } from '../lib/user-schema';

const SIZES = [10, 25, 50, 100];

/**
 * The list's state lives in the URL (`#/users?search=…&page=2`), so back and reload keep it.
 * Sort columns and filters are the ones `GET /users` offers in the OpenAPI document.
 */
function readQuery(params: URLSearchParams, schema: UserSchema) {
  const page = Number(params.get('page'));
  const size = Number(params.get('size'));
  const sortBy = params.get('sort_by') ?? '';
  return {
    search: params.get('search') ?? '',
    ...Object.fromEntries(schema.filters.map((filter) => [filter.name, params.get(filter.name) ?? ''])),
    page: Number.isInteger(page) && page > 0 ? page : 1,
    size: SIZES.includes(size) ? size : 25,
    sort_by: schema.sortable.includes(sortBy) ? sortBy : 'created_at',
    sort_order: params.get('sort_order') === 'asc' ? 'asc' : ('desc' as 'asc' | 'desc'),
  } as { search: string; page: number; size: number; sort_by: string; sort_order: 'asc' | 'desc' } & Record<string, string | number>;
}

type ListQuery = ReturnType<typeof readQuery>;

/** The users table, once the page knows the user's fields. */
export function UserList({ params }: { params: URLSearchParams }) {
  const schema = useUserSchema();
  if (schema.data) return <UserTable params={params} schema={schema.data} />;
  return (
    <>
      <ViewTitle>Users</ViewTitle>
      {schema.error !== undefined ? <ErrorNote error={schema.error} /> : <p class="muted">Loading…</p>}
    </>
  );
}

/** The users table: the server searches, filters, sorts and pages; one page is ever asked for. */
function UserTable({ params, schema }: { params: URLSearchParams; schema: UserSchema }) {
  const { api, notify } = useApp();
  const query = readQuery(params, schema);
  // The username leads (it links to the user's page); every other field of `User` follows.
  const columns = schema.response.filter((field) => field.name !== 'id' && field.name !== 'username');
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
        {schema.filters.map((filter) => (
          <FilterSelect
            key={filter.name}
            label={filter.label}
            name={filter.name}
            value={String(query[filter.name] ?? '')}
            onChange={(value) => go({ [filter.name]: value, page: 1 })}
          />
        ))}
        <div class="field">
          <label for="page-size">Per page</label>
          <select id="page-size" value={String(query.size)} onChange={(event) => go({ size: Number(event.currentTarget.value), page: 1 })}>
            {SIZES.map((size) => (
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
      {users.error !== undefined && <ErrorNote error={users.error} />}
      {page && (
        <>
          <p class="muted" id="users-summary" aria-live="polite">
            {users.current ? usersSummary(page, query.search) : 'Loading…'}
          </p>
          <TableScroll label="Users">
            <table class="users" aria-busy={users.current ? 'false' : 'true'}>
              <thead>
                <tr>
                  <th scope="col">ID</th>
                  {[schema.response.find((field) => field.name === 'username')!, ...columns].filter(Boolean).map((field) =>
                    schema.sortable.includes(field.name) ? (
                      <SortHeader key={field.name} field={field.name} label={field.label} query={query} onSort={go} />
                    ) : (
                      <th scope="col" key={field.name}>
                        {field.label}
                      </th>
                    ),
                  )}
                </tr>
              </thead>
              <tbody>
                {page.items.map((user) => (
                  <tr key={user.id}>
                    <td>{user.id}</td>
                    <td>
                      <a href={link(`users/${user.id}`)}>{user.username}</a>
                    </td>
                    {columns.map((field) => (
                      <td key={field.name}>
                        <FieldValue field={field} value={user[field.name]} />
                      </td>
                    ))}
                  </tr>
                ))}
                {page.items.length === 0 && (
                  <tr>
                    <td colSpan={columns.length + 2}>No users on this page.</td>
                  </tr>
                )}
              </tbody>
            </table>
          </TableScroll>
          <nav class="pager" aria-label="Pages">
            <button type="button" class="button-secondary" disabled={query.page <= 1} onClick={() => go({ page: query.page - 1 })}>
              Previous page
            </button>
            <span>{pageOfPages(page)}</span>
            <button type="button" class="button-secondary" disabled={!hasNextPage(page)} onClick={() => go({ page: query.page + 1 })}>
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
function SortHeader(props: { field: string; label: string; query: ListQuery; onSort(changes: Partial<ListQuery>): void }) {
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
