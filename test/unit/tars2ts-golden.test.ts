/**
 * Golden tests of the generator: the fixtures under test/fixtures/tars together use every IDL construct; their
 * generated TypeScript is committed under test/fixtures/tars/generated/ and must not change by accident.
 * Run with UPDATE_GOLDEN=1 to rewrite the golden files after an intended change, then review the diff.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { generateTypeScript } from '../../src/tars/codegen/index.js';
import { loadTarsProgram } from '../../src/tars/idl/index.js';

const FIXTURES = 'test/fixtures/tars';
const GOLDEN = join(FIXTURES, 'generated');
const IMPORT_FROM = '../../../../src/tars/index.js';

function generateFixtures() {
  const program = loadTarsProgram([join(FIXTURES, 'types.tars'), join(FIXTURES, 'service.tars')]);
  return generateTypeScript(program, { outDir: GOLDEN, withServant: true, importFrom: IMPORT_FROM });
}

test('generated fixtures match the committed golden files', () => {
  const files = generateFixtures();
  assert.deepEqual(
    files.map((f) => f.name),
    ['types.ts', 'service.ts'],
  );
  for (const f of files) {
    const path = join(GOLDEN, f.name);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, f.content);
    assert.equal(
      f.content,
      readFileSync(path, 'utf8'),
      `${path} differs; run with UPDATE_GOLDEN=1 if intended`,
    );
  }
});

test('generating twice gives the same text', () => {
  const a = generateFixtures().map((f) => f.content);
  const b = generateFixtures().map((f) => f.content);
  assert.deepEqual(a, b);
});

test('golden files and the Hello example type-check under the strictest compiler options', () => {
  const roots = [join(GOLDEN, 'types.ts'), join(GOLDEN, 'service.ts'), 'examples/chat/generated/hello.ts'];
  const program = ts.createProgram(roots, {
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    noImplicitReturns: true,
    noImplicitOverride: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    noPropertyAccessFromIndexSignature: true,
    verbatimModuleSyntax: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
    skipLibCheck: true,
    noEmit: true,
  });
  // Only the generated files are held to these extra options; the runtime they import has its own settings.
  const generated = new Set(roots.map((r) => program.getSourceFile(r)));
  const diagnostics = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || generated.has(d.file));
  const text = ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => process.cwd(),
    getNewLine: () => '\n',
  });
  assert.equal(text, '');
});
