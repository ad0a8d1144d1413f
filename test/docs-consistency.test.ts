import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { ENV_VARIABLES } from '../packages/core/src/config/env';
import { ERROR_STATUS } from '../packages/core/src/errors/app-error';

const docsDir = new URL('../docs/reference/', import.meta.url);

/** The rows of the first Markdown table under `## <heading>` (or of the whole file), as cells. */
function tableRows(file: string, heading?: string): string[][] {
  let text = readFileSync(new URL(file, docsDir), 'utf8');
  if (heading) {
    const start = text.indexOf(`\n## ${heading}\n`);
    expect(start, `${file} has a "## ${heading}" section`).to.be.greaterThan(-1);
    text = text.slice(start + 1);
    const end = text.indexOf('\n## ', 1);
    if (end > -1) text = text.slice(0, end);
  }
  return text
    .split('\n')
    .filter((line) => /^\|.*\|\s*$/.test(line) && !/^\|\s*-/.test(line))
    .map((line) => line.trim().slice(1, -1).split('|').map((cell) => cell.trim()))
    .slice(1); // the header row
}

const unquote = (cell: string) => cell.replace(/^`(.*)`$/, '$1');

const SNIPPETS = [
  'examples/server/src/snippets/embed-express.ts',
  'examples/server/src/snippets/embed-koa.ts',
  'examples/server/src/snippets/embed-fastify.ts',
  'examples/worker/src/snippets/use-core.ts',
];

describe('README.md', () => {
  it('shows each compiled snippet file verbatim', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const file of SNIPPETS) {
      // The first line of a snippet file is the note saying it is a snippet.
      const code = readFileSync(new URL(`../${file}`, import.meta.url), 'utf8').split('\n').slice(1).join('\n');
      expect(readme, `README.md shows ${file}`).to.include('```ts\n' + code + '```');
    }
  });
});

describe('docs/guides/migrations.md', () => {
  it('shows the compiled host-migration snippet verbatim', () => {
    const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
    const code = read('examples/worker/src/snippets/host-migrations.ts').split('\n').slice(1).join('\n');
    expect(read('docs/guides/migrations.md')).to.include('```ts\n' + code + '```');
  });
});

describe('package READMEs and licences', () => {
  const READMES: Record<string, string> = {
    'packages/core/README.md': 'examples/worker/src/snippets/use-core.ts',
    'packages/express/README.md': 'examples/server/src/snippets/embed-express.ts',
    'packages/koa/README.md': 'examples/server/src/snippets/embed-koa.ts',
    'packages/fastify/README.md': 'examples/server/src/snippets/embed-fastify.ts',
  };
  const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');

  it('show their compiled snippet verbatim', () => {
    for (const [readme, snippet] of Object.entries(READMES)) {
      const code = read(snippet).split('\n').slice(1).join('\n');
      expect(read(readme), `${readme} shows ${snippet}`).to.include('```ts\n' + code + '```');
    }
  });

  it('ship the licence of the repository', () => {
    for (const readme of Object.keys(READMES)) {
      const license = readme.replace('README.md', 'LICENSE');
      expect(read(license), license).to.equal(read('LICENSE'));
    }
  });
});

describe('docs/reference', () => {
  describe('errors.md', () => {
    it('lists every error code of ERROR_STATUS with its status, and no other code', () => {
      const rows = tableRows('errors.md', 'Codes');
      const documented = Object.fromEntries(rows.map(([code, status]) => [unquote(code), Number(status)]));
      expect(documented).to.deep.equal({ ...ERROR_STATUS });
    });
  });

  describe('configuration.md', () => {
    it('lists every variable of ENV_VARIABLES with its default, and no other variable', () => {
      const rows = tableRows('configuration.md', 'Variables');
      const documented = Object.fromEntries(rows.map(([name, fallback]) => [unquote(name), unquote(fallback)]));
      const expected = Object.fromEntries(ENV_VARIABLES.map((variable) => [variable.name, variable.default]));
      expect(documented).to.deep.equal(expected);
    });
  });
});
