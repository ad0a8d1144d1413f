import { useState } from 'preact/hooks';
import { ErrorNote, errorText, TableScroll, ViewTitle } from '../components/ui';
import { useApp, useUserSchema } from '../lib/app-context';
import { readImportFile, runImport, type ImportProgress, type ImportRow } from '../lib/import-plan';
import type { FieldSpec } from '../lib/user-schema';

/** A header row and one example row for these columns. */
function sampleOf(columns: readonly FieldSpec[]): string {
  const example = (field: FieldSpec) =>
    field.kind === 'email' ? 'ada@example.com' : field.kind === 'password' ? 'correct-horse-1' : field.kind === 'boolean' ? 'false' : field.name === 'username' ? 'ada' : '';
  return `${columns.map((field) => field.name).join(',')}\n${columns.map(example).join(',')}`;
}

/** CSV import: parsed here, sent to `POST /users/bulk` in batches, every refused row listed with its reasons. */
export function ImportUsers() {
  const schema = useUserSchema();
  if (schema.data) return <ImportForm columns={schema.data.bulkItem} />;
  return (
    <>
      <ViewTitle>Import users from CSV</ViewTitle>
      {schema.error !== undefined ? <ErrorNote error={schema.error} /> : <p class="muted">Loading…</p>}
    </>
  );
}

function ImportForm({ columns }: { columns: readonly FieldSpec[] }) {
  const { api, meta } = useApp();
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState('');
  const [rows, setRows] = useState<ImportRow[] | undefined>();
  const [fileError, setFileError] = useState('');
  const [progress, setProgress] = useState<ImportProgress | undefined>();
  const [running, setRunning] = useState(false);

  const load = (content: string) => {
    setText(content);
    setProgress(undefined);
    try {
      setRows(content.trim() ? readImportFile(content, columns) : undefined);
      setFileError('');
    } catch (error) {
      setRows(undefined);
      setFileError(errorText(error));
    }
  };
  const start = async () => {
    if (!rows) return;
    setRunning(true);
    try {
      await runImport(rows, {
        batchSize: meta.bulkMax,
        send: (items) => api.request<unknown[]>('POST', '/users/bulk', { body: items }),
        onProgress: setProgress,
      });
    } finally {
      setRunning(false);
    }
  };

  return (
    <>
      <ViewTitle>Import users from CSV</ViewTitle>
      <p>
        The first row names the columns: {names(columns.filter((field) => field.required))}
        {columns.some((field) => !field.required) && <> and optionally {names(columns.filter((field) => !field.required))}</>}. Rows go to the server in batches of {meta.bulkMax}; a refused row is listed below with the reason
        and the others are still created.
      </p>
      <div class="card form">
        <div class="field">
          <label for="import-file">CSV file</label>
          <input
            id="import-file"
            type="file"
            accept=".csv,text/csv"
            onChange={async (event) => {
              const file = event.currentTarget.files?.[0];
              if (!file) return;
              setFileName(file.name);
              load(await file.text());
            }}
          />
        </div>
        <div class="field">
          <label for="import-text">Or paste the CSV</label>
          <textarea id="import-text" rows={6} placeholder={sampleOf(columns)} value={text} onInput={(event) => load(event.currentTarget.value)} />
        </div>
        {fileError && (
          <p class="alert" role="alert">
            {fileError}
          </p>
        )}
        {rows && (
          <p>
            {rows.length} {rows.length === 1 ? 'row' : 'rows'} ready{fileName ? ` from ${fileName}` : ''}.
          </p>
        )}
        <button type="button" disabled={!rows || rows.length === 0 || running} onClick={start}>
          {running ? 'Importing…' : 'Import'}
        </button>
      </div>
      {progress && <ImportResult progress={progress} running={running} />}
    </>
  );
}

function ImportResult({ progress, running }: { progress: ImportProgress; running: boolean }) {
  return (
    <section class="card" aria-labelledby="import-result-title">
      <h2 id="import-result-title">{running ? 'Importing' : 'Import finished'}</h2>
      <label class="progress-label" for="import-progress">
        {progress.done} of {progress.total} rows sent
      </label>
      <progress id="import-progress" max={progress.total} value={progress.done} />
      <p role="status" data-testid="import-summary">
        Created {progress.created}, refused {progress.failures.length}.
      </p>
      {progress.failures.length > 0 && (
        <TableScroll label="Refused rows">
          <table class="compact">
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">Field</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {progress.failures.flatMap((failure) =>
                Object.entries(failure.errors).map(([field, message]) => (
                  <tr key={`${failure.line}-${field}`} data-line={failure.line}>
                    <td>{failure.line}</td>
                    <td>{field === 'row' ? '—' : field}</td>
                    <td>{message}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}

/** `a`, `b` and `c` as code. */
function names(fields: readonly FieldSpec[]) {
  return fields.map((field, index) => (
    <span key={field.name}>
      {index > 0 && (index === fields.length - 1 ? ' and ' : ', ')}
      <code>{field.name}</code>
    </span>
  ));
}
