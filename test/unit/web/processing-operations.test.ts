/**
 * The privacy officer's page names every operation the processing log records in words
 * (`processingLog.operation.<name>`, web/messages.ts), never as a raw "POST /v1/journeys/persons".
 * The names are derived from the code, not from what some test happens to call: every API route whose
 * handler records a processing (api/processing.ts, directly or through a function that does), and every
 * other `name:` given to the log (the BRP per purpose, the Zaken API, the retention sweep).
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { BRP_PURPOSES } from '../../../chain/brp';
import { messagesOf } from '../../../web/messages';

const ROOT = path.resolve(__dirname, '../../..');
const SOURCES = ['api', 'chain/brp', 'chain/zaken', 'activities'].flatMap((dir) =>
  fs
    .readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ts.createSourceFile(path.join(dir, f), fs.readFileSync(path.join(ROOT, dir, f), 'utf8'), ts.ScriptTarget.Latest, true)),
);

/** What records directly: api/processing.ts's helpers, or the log's own `around`/`recordEach`. */
const RECORDERS = new Set(['recordProcessing', 'recordingPages', 'operationName']);

function calls(node: ts.Node): string[] {
  const out: string[] = [];
  const visit = (n: ts.Node) => {
    if (ts.isCallExpression(n)) {
      if (ts.isIdentifier(n.expression)) out.push(n.expression.text);
      else if (ts.isPropertyAccessExpression(n.expression) && /processingLog|log\b/.test(n.expression.expression.getText()) && ['around', 'recordEach'].includes(n.expression.name.text)) out.push('recordProcessing');
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return out;
}

/** Every named function of the sources (declarations and `const f = (…) =>`), by name: the calls in its body. */
const functions = new Map<string, string[]>();
for (const file of SOURCES) {
  const visit = (n: ts.Node) => {
    if (ts.isFunctionDeclaration(n) && n.name && n.body) functions.set(n.name.text, [...(functions.get(n.name.text) ?? []), ...calls(n.body)]);
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && (ts.isArrowFunction(n.initializer) || ts.isFunctionExpression(n.initializer)))
      functions.set(n.name.text, [...(functions.get(n.name.text) ?? []), ...calls(n.initializer.body)]);
    // `const shown = shownBy(ctx)`: the function another one returns records when that one's body does.
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && ts.isCallExpression(n.initializer) && ts.isIdentifier(n.initializer.expression))
      functions.set(n.name.text, [...(functions.get(n.name.text) ?? []), n.initializer.expression.text]);
    ts.forEachChild(n, visit);
  };
  visit(file);
}
// A function records when it calls a recorder or a function that records (to a fixed point).
const recording = new Set(RECORDERS);
for (let grew = true; grew; ) {
  grew = false;
  for (const [name, called] of functions) if (!recording.has(name) && called.some((c) => recording.has(c))) grew = recording.add(name).size > 0;
}

const stringProp = (o: ts.ObjectLiteralExpression, key: string) => {
  const p = o.properties.find((x): x is ts.PropertyAssignment => ts.isPropertyAssignment(x) && x.name.getText() === key);
  return p && (ts.isStringLiteral(p.initializer) || ts.isNoSubstitutionTemplateLiteral(p.initializer)) ? p.initializer.text : undefined;
};

/** `METHOD /path/{param}` of every `route({ method, path }, handler)` whose handler records. */
function recordingRoutes(): string[] {
  const names: string[] = [];
  for (const file of SOURCES) {
    const visit = (n: ts.Node) => {
      if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'route' && n.arguments.length >= 2 && ts.isObjectLiteralExpression(n.arguments[0]!)) {
        const spec = n.arguments[0];
        const method = stringProp(spec, 'method');
        const route = stringProp(spec, 'path');
        if (method && route && calls(n.arguments[1]!).some((c) => recording.has(c))) names.push(`${method.toUpperCase()} ${route.replace(/:(\w+)/g, '{$1}')}`);
      }
      ts.forEachChild(n, visit);
    };
    visit(file);
  }
  return names;
}

/** The literal `name:` of every record written outside a route (`around({ activity, name, … })`), a template expanded by its one variable. */
function otherNames(): string[] {
  const names: string[] = [];
  for (const file of SOURCES) {
    const visit = (n: ts.Node) => {
      if (ts.isObjectLiteralExpression(n) && stringProp(n, 'activity') !== undefined) {
        const name = n.properties.find((x): x is ts.PropertyAssignment => ts.isPropertyAssignment(x) && x.name.getText() === 'name');
        if (name && ts.isStringLiteral(name.initializer)) names.push(name.initializer.text);
        if (name && ts.isTemplateExpression(name.initializer) && name.initializer.getText().includes('${purpose}'))
          for (const purpose of BRP_PURPOSES) names.push(`${name.initializer.head.text}${purpose}${name.initializer.templateSpans[0]!.literal.text}`);
      }
      ts.forEachChild(n, visit);
    };
    visit(file);
  }
  return names;
}

describe('the operations the processing log records, in words', () => {
  const routes = recordingRoutes();
  const others = otherNames();

  it('finds the recording routes and the chain adapters in the code (the derivation itself works)', () => {
    expect(routes).toEqual(expect.arrayContaining(['POST /v1/journeys', 'GET /v1/journeys/export', 'POST /v1/processing-log/search', 'POST /v1/journeys/search']));
    expect(routes).not.toContain('GET /v1/statistics');
    expect(others).toEqual(expect.arrayContaining(['sweepRetention', 'Zaken API POST /rollen (rol_create)', 'BRP POST /personen RaadpleegMetBurgerservicenummer (name)']));
  });

  it.each(['nl', 'en'] as const)('has a catalogue entry for every one of them (%s)', (lang) => {
    const catalogue = messagesOf(lang) as Record<string, string>;
    expect([...new Set([...routes, ...others])].filter((name) => !catalogue[`processingLog.operation.${name}`])).toEqual([]);
  });
});
