import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The house rules of server/ (docs/architecture.md#the-house), read from the import statements:
// no module imports itself through others, infra knows no feature, and a feature reaches another
// only through its service.

const serverDir = path.dirname(fileURLToPath(import.meta.url));
const FEATURES = ['auth', 'rooms', 'messages', 'reactions', 'presence', 'typing', 'uploads', 'account-deletion', 'profiles'];

// `import x from '…'`, `import type { a, b } from '…'`, `export * from '…'`, `export { a } from '…'`
// (over several lines too), and bare `import '…'`. Dynamic import() is not a static edge.
const FROM = /^(?:import|export)\s+(?:type\s+)?[\w\s{},*$]*?\s*from\s*['"]([^'"]+)['"]/gm;
const BARE = /^import\s*['"]([^'"]+)['"]/gm;

/** Every .ts file under server/, relative to it, with forward slashes. */
function serverFiles(): string[] {
  return readdirSync(serverDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.split(path.sep).join('/'))
    .sort();
}

/** The server files a module imports (relative specifiers inside server/ only). */
function importsOf(file: string): string[] {
  const source = readFileSync(path.join(serverDir, file), 'utf8');
  const targets = new Set<string>();
  for (const pattern of [FROM, BARE]) {
    for (const match of source.matchAll(pattern)) {
      const specifier = match[1];
      if (!specifier.startsWith('.')) continue;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
      if (!target.startsWith('../')) targets.add(target);
    }
  }
  return [...targets];
}

function importGraph(): Map<string, string[]> {
  return new Map(serverFiles().map((file) => [file, importsOf(file)]));
}

/** Every import cycle, each written as `a.ts -> b.ts -> a.ts` (found by depth-first search). */
function findCycles(graph: Map<string, string[]>): string[] {
  const cycles: string[] = [];
  const done = new Set<string>();
  const trail: string[] = [];
  const onTrail = new Set<string>();
  const visit = (file: string) => {
    if (onTrail.has(file)) {
      cycles.push([...trail.slice(trail.indexOf(file)), file].join(' -> '));
      return;
    }
    if (done.has(file)) return;
    trail.push(file);
    onTrail.add(file);
    for (const next of graph.get(file) ?? []) visit(next);
    onTrail.delete(file);
    trail.pop();
    done.add(file);
  };
  for (const file of graph.keys()) visit(file);
  return cycles;
}

const folderOf = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : null);

describe('server imports', () => {
  const graph = importGraph();

  it('are read from the sources', () => {
    expect(graph.get('app.ts')).toContain('infra/errors.ts');
    expect(graph.get('rooms/service.ts')).toEqual(expect.arrayContaining(['infra/errors.ts', 'uploads/service.ts', 'rooms/storage.ts']));
  });

  it('form no cycle', () => {
    expect(findCycles(graph)).toEqual([]);
  });

  it('find a cycle when there is one', () => {
    const looped = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']]
    ]);
    expect(findCycles(looped)).toEqual(['a.ts -> b.ts -> c.ts -> a.ts']);
  });

  it('leave infra knowing nothing of the features or the app', () => {
    const reaching = [...graph].flatMap(([file, targets]) =>
      folderOf(file) === 'infra' ? targets.filter((t) => folderOf(t) !== 'infra').map((t) => `${file} -> ${t}`) : []
    );
    expect(reaching).toEqual([]);
  });

  it('reach another feature only through its service', () => {
    const reaching = [...graph].flatMap(([file, targets]) => {
      const feature = folderOf(file);
      if (!feature || !FEATURES.includes(feature)) return [];
      return targets
        .filter((t) => {
          const other = folderOf(t);
          return other !== feature && other !== 'infra' && (other === null || !t.endsWith('/service.ts'));
        })
        .map((t) => `${file} -> ${t}`);
    });
    expect(reaching).toEqual([]);
  });
});
