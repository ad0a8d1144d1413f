import { render } from 'preact';
import { App } from './app';
import { ApiClient } from './lib/api';
import { readPageMeta } from './lib/page-meta';
import './styles.css';
// Listed in the build manifest, so the shell can name it as the page's icon.
import './icon.svg?url';

const meta = readPageMeta(document);
// The data-entry path opens the create-user form unless the link already names a view.
if (meta.view === 'create' && (window.location.hash === '' || window.location.hash === '#')) {
  window.history.replaceState(null, '', '#/users/new');
}
render(<App api={new ApiClient(meta.base)} meta={meta} />, document.getElementById('app')!);
