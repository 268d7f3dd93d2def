import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The README's "Repository layout" names every folder that owns something, one line each, so a
 * newcomer finds the owner in one hop. These checks read its tree the way a person does (an entry's
 * indentation puts it under the entry above it) and fail when a folder exists that it does not name:
 * the portal's modules (src/), the relay's folders, contracts/, the agent's src/ and the dashboard's
 * src/app/; and when a file of contracts/api/ is missing from the "API shapes" list.
 */
const ROOT = join(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The text of a `## ` section (with its `### ` subsections), by its heading. */
function section(heading: string): string {
  const start = README.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "## ${heading}" section`);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

/** Where the descriptions start in the tree: a line indented this far continues the one above. */
const DESCRIPTION_COLUMN = 29;

/**
 * The folders the layout's tree names, as full paths ending in `/` (`agent/src/core/`): an entry is
 * one or more `name/` separated by commas before its description, under the nearest entry above it
 * that is indented less.
 */
function layoutFolders(): Set<string> {
  const layout = section('Repository layout');
  const tree = /\n```\n([\s\S]*?)\n```\n/.exec(layout)?.[1];
  if (!tree) throw new Error('the "Repository layout" section has no ``` tree');
  const named = new Set<string>();
  const parents: { indent: number; path: string }[] = [];
  for (const line of tree.split('\n')) {
    const indent = line.length - line.trimStart().length;
    if (line.trim() === '' || indent >= DESCRIPTION_COLUMN) continue;
    const names = line
      .slice(indent)
      .split(/\s{2,}/)[0]
      .split(/,\s*/)
      .filter((n) => n.endsWith('/'));
    while (parents.length > 0 && parents[parents.length - 1].indent >= indent) parents.pop();
    const parent = parents[parents.length - 1]?.path ?? '';
    for (const name of names) named.add(parent + name);
    if (names.length > 0) parents.push({ indent, path: parent + names[0] });
  }
  return named;
}

/** The folders directly inside `dir` (relative to the repository), as `dir/name/`. */
function foldersIn(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => `${dir}/${d.name}/`)
    .sort();
}

describe('README repository layout', () => {
  const named = layoutFolders();

  it('reads the tree (the top folders and a nested entry are found)', () => {
    for (const folder of ['src/', 'relay/', 'contracts/', 'agent/', 'client/', 'agent/src/core/'])
      expect(named).toContain(folder);
  });

  it.each(['src', 'relay', 'contracts', 'agent/src', 'client/src/app'])(
    'names every folder in %s/ with a line of its own',
    (dir) => {
      expect(foldersIn(dir).filter((f) => !named.has(f))).toEqual([]);
    },
  );

  it('names every file of contracts/api/ in "API shapes"', () => {
    const shapes = section('Repository layout').split('\n### API shapes\n')[1] ?? '';
    const files = readdirSync(join(ROOT, 'contracts/api'))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
      .sort();
    expect(files.filter((f) => !shapes.includes(`\`${f}\``))).toEqual([]);
  });
});
