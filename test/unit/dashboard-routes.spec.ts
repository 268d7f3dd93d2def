import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { DASHBOARD_PATHS, isDashboardPath } from '../../contracts/dashboard-routes';

const ROUTES_FILE = join(__dirname, '..', '..', 'client', 'src', 'app', 'app.routes.ts');

/**
 * The `path` of each top-level route in app.routes.ts and of each child of the path-less shell
 * route, as written: `DASHBOARD_PATHS.<key>`, or the literal string.
 */
function routerTopLevelPaths(): string[] {
  const source = ts.createSourceFile(ROUTES_FILE, readFileSync(ROUTES_FILE, 'utf8'), ts.ScriptTarget.Latest);
  let routes: ts.ArrayLiteralExpression | undefined;
  source.forEachChild((node) => {
    if (!ts.isVariableStatement(node)) return;
    for (const d of node.declarationList.declarations)
      if (
        ts.isIdentifier(d.name) &&
        d.name.text === 'routes' &&
        d.initializer &&
        ts.isArrayLiteralExpression(d.initializer)
      )
        routes = d.initializer;
  });
  if (!routes) throw new Error('no `routes` array in app.routes.ts');

  const property = (o: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined =>
    o.properties.find(
      (p): p is ts.PropertyAssignment =>
        ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === name,
    )?.initializer;
  const written = (e: ts.Expression | undefined): string => {
    if (e && ts.isStringLiteral(e)) return `'${e.text}'`;
    if (e && ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression))
      return `${e.expression.text}.${e.name.text}`;
    return `<${e ? e.getText(source) : 'no path'}>`;
  };

  const paths: string[] = [];
  for (const route of routes.elements.filter(ts.isObjectLiteralExpression)) {
    const path = written(property(route, 'path'));
    const children = property(route, 'children');
    if (path === "''" && children && ts.isArrayLiteralExpression(children)) {
      for (const child of children.elements.filter(ts.isObjectLiteralExpression))
        paths.push(written(property(child, 'path')));
    } else paths.push(path);
  }
  return paths;
}

describe('dashboard routes: one list for the Angular router and the portal', () => {
  it('app.routes.ts routes exactly the top-level paths of contracts/dashboard-routes.ts', () => {
    const paths = routerTopLevelPaths();
    // The shell's redirect ('') and its not-found page ('**') are the only literal paths.
    const named = paths.filter((p) => p !== "''" && p !== "'**'");
    expect(named.sort()).toEqual(
      Object.keys(DASHBOARD_PATHS)
        .map((k) => `DASHBOARD_PATHS.${k}`)
        .sort(),
    );
  });

  it('the portal serves the dashboard for those paths and below, and for nothing else', () => {
    for (const p of ['/', '/login', '/quick-support', '/quick-support/abc', '/admin/users', '/viewer/x/y'])
      expect(`${p}: ${isDashboardPath(p)}`).toBe(`${p}: true`);
    for (const p of [
      '/.env',
      '/wp-admin',
      '/favicon.php',
      '/metrics',
      '/quick-supportx',
      '/api',
      '/support/x',
    ])
      expect(`${p}: ${isDashboardPath(p)}`).toBe(`${p}: false`);
  });
});
