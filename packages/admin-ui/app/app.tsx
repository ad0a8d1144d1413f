import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ViewTitle } from './components/ui';
import type { ApiClient } from './lib/api';
import { AppContext, type AppState } from './lib/app-context';
import type { PageMeta } from './lib/page-meta';
import { link, useRoute, type Route } from './lib/route';
import type { User } from './lib/types';
import { AuditLog } from './views/audit-log';
import { CreateUser } from './views/create-user';
import { ImportUsers } from './views/import-users';
import { Overview } from './views/overview';
import { SignIn } from './views/sign-in';
import { UserDetail } from './views/user-detail';
import { UserList } from './views/user-list';

const NAV = [
  { href: link(''), label: 'Overview', match: '' },
  { href: link('users'), label: 'Users', match: 'users' },
  { href: link('users/new'), label: 'Create user', match: 'users/new' },
  { href: link('import'), label: 'Import CSV', match: 'import' },
  { href: link('audit'), label: 'Audit log', match: 'audit' },
];

function View({ route }: { route: Route }) {
  const [first = '', second] = route.segments;
  if (first === '') return <Overview />;
  if (first === 'users' && second === 'new') return <CreateUser />;
  if (first === 'users' && second) return <UserDetail id={second} />;
  if (first === 'users') return <UserList params={route.params} />;
  if (first === 'import') return <ImportUsers />;
  if (first === 'audit') return <AuditLog params={route.params} />;
  return (
    <>
      <ViewTitle>Not found</ViewTitle>
      <p>
        There is no such view. <a href={link('')}>Go to the overview</a>.
      </p>
    </>
  );
}

/** The page: sign-in until a superuser is signed in, then the navigation and the current view. */
export function App({ api, meta }: { api: ApiClient; meta: PageMeta }) {
  const [me, setMe] = useState<User | undefined>();
  // A message belongs to the view it was said for, so "User created" survives the navigation
  // to the new user's page and is gone on the next one.
  const [status, setStatus] = useState({ text: '', path: '' });
  const [signedOutReason, setSignedOutReason] = useState('');
  const route = useRoute();
  const current = route.segments.join('/');
  const currentRef = useRef(current);
  currentRef.current = current;
  useEffect(() => setStatus((previous) => (previous.path === current ? previous : { text: '', path: '' })), [current]);
  useEffect(() => {
    api.onSignedOut = (message) => {
      setMe(undefined);
      setSignedOutReason(message);
    };
  }, [api]);

  const state = useMemo<AppState | undefined>(
    () => (me ? { api, meta, me, notify: (text, path) => setStatus({ text, path: path ?? currentRef.current }) } : undefined),
    [api, meta, me],
  );
  if (!state) {
    return (
      <SignIn
        api={api}
        appName={meta.appName}
        reason={signedOutReason}
        onSignedIn={(user) => {
          setSignedOutReason('');
          setMe(user);
        }}
      />
    );
  }
  const signOut = async () => {
    await api.logout();
    setMe(undefined);
    setSignedOutReason('You have signed out.');
  };
  return (
    <AppContext.Provider value={state}>
      <a class="skip-link" href="#main" onClick={(event) => { event.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header class="top-bar">
        <p class="brand">{meta.appName} admin</p>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => {
              const active = item.match === '' ? current === '' : current === item.match || (item.match === 'users' && /^users\/\d/.test(current));
              return (
                <li key={item.href}>
                  <a href={item.href} aria-current={active ? 'page' : undefined}>
                    {item.label}
                  </a>
                </li>
              );
            })}
            <li>
              <a href={`${meta.base}/docs`}>API reference</a>
            </li>
          </ul>
        </nav>
        <div class="who">
          <span>
            Signed in as <strong>{me!.username}</strong>
          </span>
          <button type="button" class="button-secondary" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <p class="status" role="status" aria-live="polite">
          {status.path === current ? status.text : ''}
        </p>
        <View key={current} route={route} />
      </main>
    </AppContext.Provider>
  );
}
