import { execFileSync } from 'node:child_process';
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

/**
 * The lines of a source file between `// #region NAME` and `// #endregion NAME`, without the
 * indentation they share.
 */
function region(file: string, name: string): string | undefined {
  const lines = readFileSync(new URL(`../${file}`, import.meta.url), 'utf8').split('\n');
  const start = lines.findIndex((line) => line.trim() === `// #region ${name}`);
  const end = lines.findIndex((line, index) => index > start && line.trim() === `// #endregion ${name}`);
  if (start === -1 || end === -1) return undefined;
  const body = lines.slice(start + 1, end);
  const indent = Math.min(...body.filter((line) => line.trim()).map((line) => line.length - line.trimStart().length));
  return body.map((line) => line.slice(indent)).join('\n');
}

const SNIPPET_MARKER = /<!-- snippet: ([^#\s]+)#([\w-]+) -->\n```ts\n([\s\S]*?)\n```/g;

/**
 * What is wrong with the marked snippets of a guide: each `<!-- snippet: FILE#NAME -->` is
 * followed by a ```ts block that must equal region NAME of FILE.
 */
function snippetMismatches(markdown: string): string[] {
  const problems: string[] = [];
  const markers = markdown.match(/<!-- snippet: /g)?.length ?? 0;
  const blocks = [...markdown.matchAll(SNIPPET_MARKER)];
  if (blocks.length !== markers) problems.push(`${markers - blocks.length} snippet marker(s) not followed by a \`\`\`ts block`);
  for (const [, file, name, code] of blocks) {
    const source = region(file!, name!);
    if (source === undefined) problems.push(`${file} has no region ${name}`);
    else if (source !== code) problems.push(`the snippet ${file}#${name} differs from its source`);
  }
  return problems;
}

describe('docs/guides snippets', () => {
  const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');

  for (const guide of ['docs/guides/extending.md', 'docs/guides/migrations.md']) {
    it(`${guide} shows each marked snippet exactly as its source file has it`, () => {
      expect(snippetMismatches(read(guide))).to.deep.equal([]);
    });
  }

  it('docs/guides/extending.md takes every TypeScript block from a source file', () => {
    const guide = read('docs/guides/extending.md');
    const blocks = guide.match(/^```ts$/gm)?.length ?? 0;
    expect(blocks).to.be.greaterThan(5);
    expect([...guide.matchAll(SNIPPET_MARKER)].length, 'blocks with a snippet marker').to.equal(blocks);
  });

  it('names a snippet that drifted from its source, and a region that is gone', () => {
    const drifted = '<!-- snippet: examples/host-app/src/hooks.ts#hooks -->\n```ts\nexport const hooks = {};\n```';
    expect(snippetMismatches(drifted)).to.deep.equal(['the snippet examples/host-app/src/hooks.ts#hooks differs from its source']);
    const gone = '<!-- snippet: examples/host-app/src/hooks.ts#nowhere -->\n```ts\n\n```';
    expect(snippetMismatches(gone)).to.deep.equal(['examples/host-app/src/hooks.ts has no region nowhere']);
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

describe('source comments', () => {
  it('cite documents of the repository, never the contract file that is not in it', () => {
    const root = new URL('..', import.meta.url);
    const files = execFileSync('git', ['ls-files', '*.ts', '*.tsx'], { cwd: root, encoding: 'utf8' }).split('\n').filter((file) => file && file !== 'test/docs-consistency.test.ts');
    const citing = files.filter((file) => /\bSPEC\b/.test(readFileSync(new URL(file, root), 'utf8')));
    expect(citing, 'files naming SPEC; cite docs/reference/*.md or docs/decisions.md instead').to.deep.equal([]);
  });
});
