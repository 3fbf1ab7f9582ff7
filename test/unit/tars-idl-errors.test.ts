/** The .tars front end on bad input: every error names file:line:column and says what was expected. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TarsIdlError } from '../../src/tars/idl/index.js';
import { loadMemory } from '../support/tars-idl-memory.js';

/** The message loading `main` (plus `others`) fails with. */
function errorOf(main: string, others: Record<string, string> = {}): string {
  try {
    loadMemory({ 'main.tars': main, ...others });
  } catch (err) {
    assert.ok(err instanceof TarsIdlError, `not a TarsIdlError: ${String(err)}`);
    return err.message;
  }
  assert.fail('expected an error');
}

const cases: [string, string, string][] = [
  [
    'a missing semicolon after a member',
    'module TestApp {\n  struct S {\n    0 require int a\n    1 require int b;\n  };\n};',
    "main.tars:4:5: expected ';' after struct member, found '1'",
  ],
  [
    'a member type where a name belongs',
    'module M {\n  struct S {\n    0 require string int;\n  };\n};',
    "main.tars:3:22: expected member name, found keyword 'int'",
  ],
  [
    'a tag above 255',
    'module M { struct S { 256 require int a; }; };',
    'main.tars:1:23: tag 256 is out of range 0..255',
  ],
  [
    'a duplicate tag',
    'module M { struct S { 0 require int a; 0 require int b; }; };',
    "main.tars:1:40: duplicate tag 0 in struct 'S' (already used by 'a')",
  ],
  [
    'a duplicate member name',
    'module M { struct S { 0 require int a; 1 require int a; }; };',
    "main.tars:1:54: duplicate member 'a' in struct 'S'",
  ],
  [
    'neither require nor optional',
    'module M { struct S { 0 int a; }; };',
    "main.tars:1:25: expected 'require' or 'optional' after tag 0, found 'int'",
  ],
  [
    'an unknown type',
    'module M { struct S { 0 require Foo a; }; };',
    "main.tars:1:33: unknown type 'Foo' in module 'M'",
  ],
  [
    'an unknown scoped type',
    'module M { struct S { 0 require Other::Foo a; }; };',
    "main.tars:1:33: unknown type 'Other::Foo'",
  ],
  [
    'a string default on an int',
    'module M { struct S { 0 optional int a = "x"; }; };',
    `main.tars:1:42: default of member 'a' must be an integer (int), found string "x"`,
  ],
  [
    'an out-of-range default',
    'module M { struct S { 0 optional byte a = 200; }; };',
    "main.tars:1:43: default of member 'a' (200) is out of range for byte (-128..127)",
  ],
  [
    'a negative unsigned default',
    'module M { struct S { 0 optional unsigned int a = -1; }; };',
    "main.tars:1:51: default of member 'a' (-1) is out of range for unsigned int (0..4294967295)",
  ],
  [
    'a default from another enum',
    'module M { enum A { X }; enum B { Y }; struct S { 0 optional A a = Y; }; };',
    "main.tars:1:68: 'Y' is an enumerator of 'B', not of 'A'",
  ],
  [
    'a default on a vector',
    'module M { struct S { 0 optional vector<int> a = 1; }; };',
    "main.tars:1:50: member 'a' of type vector cannot have a default value",
  ],
  [
    'an enumerator referring forward',
    'module M { enum E { A = B, B }; };',
    "main.tars:1:25: unknown enumerator 'B'",
  ],
  [
    'a redefinition',
    'module M { struct S {}; enum S { A }; };',
    "main.tars:1:25: 'S' is already defined in module 'M' at main.tars:1:12",
  ],
  [
    'a struct that contains itself',
    'module M { struct A { 0 optional B b; }; struct B { 0 optional A a; }; };',
    "main.tars:1:53: struct 'A' contains itself (A -> B -> A); use a vector or map for recursion",
  ],
  [
    'a key naming a missing field',
    'module M { struct S { 0 require int a; }; key[S, a, z]; };',
    "main.tars:1:43: struct 'S' has no member 'z' for key[...]",
  ],
  [
    'an interface used as a type',
    'module M { interface I { void f(); }; struct S { 0 require I i; }; };',
    "main.tars:1:60: 'I' is an interface, not a type",
  ],
  ['a nested module', 'module A { module B {}; };', 'main.tars:1:12: modules cannot be nested'],
  ['an unterminated string', 'module M { const string S = "abc', 'main.tars:1:29: unterminated string'],
  ['an unterminated comment', 'module M { /* never closed', 'main.tars:1:12: unterminated comment'],
  ['a bad character', 'module M { struct S @ {}; };', "main.tars:1:21: unexpected character '@'"],
  [
    'a bad octal number',
    'module M { const int X = 019; };',
    "main.tars:1:26: invalid digit in octal number '019'",
  ],
  [
    'end of file inside a module',
    'module M {',
    "main.tars:1:11: expected '}' to close module 'M', found end of file",
  ],
  [
    'a duplicate operation',
    'module M { interface I { void f(); void f(); }; };',
    "main.tars:1:41: duplicate operation 'f' in interface 'I'",
  ],
  [
    'a missing ; after a module',
    'module M { }',
    "main.tars:1:13: expected ';' after the '}' of module 'M', found end of file",
  ],
];

for (const [what, source, message] of cases) {
  test(`reports ${what}`, () => {
    assert.equal(errorOf(source), message);
  });
}

test('reports a missing include at the #include line', () => {
  assert.equal(
    errorOf('#include "nope.tars"\nmodule M {};'),
    'main.tars:1:1: cannot read nope.tars: file not found',
  );
});

test('reports a type from a file that is not included', () => {
  const message = errorOf('module M { struct S { 0 require O::T t; }; };', {});
  assert.equal(message, "main.tars:1:33: unknown type 'O::T'");
  const p = () =>
    loadMemory(
      {
        'main.tars': 'module M { struct S { 0 require O::T t; }; };',
        'other.tars': 'module O { struct T { 0 require int x; }; };',
      },
      ['main.tars', 'other.tars'],
    );
  assert.throws(p, {
    message: "main.tars:1:33: 'O::T' is declared in other.tars, which this file does not #include",
  });
});

test('errors expose file, line, column and the bare message', () => {
  try {
    loadMemory({ 'main.tars': 'module M {\n  struct S { 0 require int a }; };' });
    assert.fail('expected an error');
  } catch (err) {
    assert.ok(err instanceof TarsIdlError);
    assert.deepEqual([err.file, err.line, err.column], ['main.tars', 2, 30]);
    assert.equal(err.detail, "expected ';' after struct member, found '}'");
  }
});
