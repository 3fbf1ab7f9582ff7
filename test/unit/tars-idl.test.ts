/** The .tars front end on valid input: what the parser and checker build from each construct. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  parseTars,
  tokenize,
  type ConstDecl,
  type EnumDecl,
  type InterfaceDecl,
  type StructDecl,
  type TarsProgram,
} from '../../src/tars/idl/index.js';
import { loadMemory } from '../support/tars-idl-memory.js';

function defs(program: TarsProgram, file = '/idl/main.tars') {
  return program.file(file)?.modules.flatMap((m) => m.definitions) ?? [];
}
function find<K extends string>(program: TarsProgram, kind: K, name: string) {
  const d = program.files
    .flatMap((f) => f.modules.flatMap((m) => m.definitions))
    .find((x) => x.kind === kind && 'name' in x && x.name === name);
  assert.ok(d, `${kind} ${name} not found`);
  return d;
}

test('parses the Hello interface', () => {
  const file = parseTars(
    'module TestApp { interface Hello { string hello(int no, string name); }; };',
    'hello.tars',
  );
  const i = file.modules[0]?.definitions[0] as InterfaceDecl;
  assert.equal(i.kind, 'interface');
  assert.equal(i.module, 'TestApp');
  assert.equal(i.name, 'Hello');
  const op = i.operations[0];
  assert.equal(op?.name, 'hello');
  assert.deepEqual(
    op?.returnType && { kind: op.returnType.kind, name: 'name' in op.returnType ? op.returnType.name : '' },
    {
      kind: 'primitive',
      name: 'string',
    },
  );
  assert.deepEqual(
    op?.params.map((p) => [p.mode, p.name]),
    [
      ['in', 'no'],
      ['in', 'name'],
    ],
  );
});

test('struct members keep tag, requiredness, type and default', () => {
  const p = loadMemory({
    'main.tars': `module M { struct S {
      0 require int a = 5;
      3 optional unsigned short u;
      255 optional map<string, vector<map<int, long>>> deep;
    }; };`,
  });
  const s = find(p, 'struct', 'S') as StructDecl;
  assert.deepEqual(
    s.members.map((m) => [m.tag, m.required, m.name]),
    [
      [0, true, 'a'],
      [3, false, 'u'],
      [255, false, 'deep'],
    ],
  );
  assert.deepEqual(s.members[0]?.defaultValue && { kind: s.members[0].defaultValue.kind }, { kind: 'int' });
  const u = s.members[1]?.type;
  assert.equal(u?.kind === 'primitive' && u.name, 'unsigned short');
  const deep = s.members[2]?.type;
  assert.ok(deep?.kind === 'map' && deep.value.kind === 'vector' && deep.value.item.kind === 'map');
});

test('enum values count up from the previous one and may name earlier enumerators', () => {
  const p = loadMemory({
    'main.tars': 'module M { enum E { A, B = 5, C, D = A, F = -2, G, H = 0x10, I = M::B }; };',
  });
  const e = find(p, 'enum', 'E') as EnumDecl;
  assert.deepEqual(
    e.members.map((m) => [m.name, m.value]),
    [
      ['A', 0],
      ['B', 5],
      ['C', 6],
      ['D', 0],
      ['F', -2],
      ['G', -1],
      ['H', 16],
      ['I', 5],
    ],
  );
});

test('integer literals: decimal, hex, octal and negative', () => {
  const p = loadMemory({
    'main.tars': `module M {
      const int D = 42; const int H = 0xFF; const int O = 017; const int N = -7; const long L = -9223372036854775808;
    };`,
  });
  const values = defs(p).map((d) => {
    const v = (d as ConstDecl).value;
    return v.kind === 'int' ? v.value : null;
  });
  assert.deepEqual(values, [42n, 255n, 15n, -7n, -9223372036854775808n]);
});

test('float literals with exponents and suffixes', () => {
  const p = loadMemory({
    'main.tars':
      'module M { const double A = 1.5e3; const float B = -2.5E-2; const float C = .5f; const double D = 3; };',
  });
  const values = defs(p).map((d) => {
    const v = (d as ConstDecl).value;
    return v.kind === 'float' || v.kind === 'int' ? Number(v.value) : null;
  });
  assert.deepEqual(values, [1500, -0.025, 0.5, 3]);
});

test('string literals decode C escapes, including octal and hex bytes as UTF-8', () => {
  const p = loadMemory({
    'main.tars': String.raw`module M { const string S = "a\"b\\c\n\t\x41\101\303\251"; };`,
  });
  const v = (defs(p)[0] as ConstDecl).value;
  assert.equal(v.kind === 'string' && v.value, 'a"b\\c\n\tAAé');
});

test('bool and enum values as defaults resolve, bare or scoped', () => {
  const p = loadMemory({
    'main.tars': `module M {
      enum Color { RED, GREEN };
      struct S {
        0 optional bool b = true;
        1 optional Color c1 = GREEN;
        2 optional Color c2 = M::GREEN;
        3 optional Color c3 = Color::GREEN;
        4 optional Color c4 = M::Color::RED;
      };
    };`,
  });
  const s = find(p, 'struct', 'S') as StructDecl;
  const names = s.members.slice(1).map((m) => {
    const v = m.defaultValue;
    return v?.kind === 'enumRef' ? v.enumValue?.member.name : undefined;
  });
  assert.deepEqual(names, ['GREEN', 'GREEN', 'GREEN', 'RED']);
});

test('comments of both kinds are ignored, also inside definitions', () => {
  const p = loadMemory({
    'main.tars': `// head
    module M { /* a
    multi-line */ struct S { 0 require int /* inline */ a; // tail
    }; };`,
  });
  assert.equal((find(p, 'struct', 'S') as StructDecl).members.length, 1);
});

test('nested generics close with >> and no space', () => {
  const tokens = tokenize('map<int,vector<int>>', 'x.tars').map((t) => t.text);
  assert.deepEqual(tokens, ['map', '<', 'int', ',', 'vector', '<', 'int', '>', '>', '']);
});

test('includes resolve relative to the including file, each file loads once', () => {
  const p = loadMemory({
    'main.tars':
      '#include "sub/a.tars"\n#include "b.tars"\nmodule M { struct S { 0 require A::X x; 1 require B::Y y; }; };',
    'sub/a.tars': '#include "../b.tars"\nmodule A { struct X { 0 require B::Y y; }; };',
    'b.tars': 'module B { struct Y { 0 require int v; }; };',
  });
  assert.deepEqual(
    p.files.map((f) => f.path),
    ['/idl/b.tars', '/idl/sub/a.tars', '/idl/main.tars'],
  );
  const s = find(p, 'struct', 'S') as StructDecl;
  const x = s.members[0]?.type;
  assert.equal(x?.kind === 'named' && x.decl?.name, 'X');
});

test('include cycles are loaded once and do not loop', () => {
  const p = loadMemory({
    'main.tars': '#include "other.tars"\nmodule M { struct S { 0 optional vector<O::T> ts; }; };',
    'other.tars': '#include "main.tars"\nmodule O { struct T { 0 optional vector<M::S> ss; }; };',
  });
  assert.equal(p.files.length, 2);
});

test('a module may be reopened, in the same file or another', () => {
  const p = loadMemory({
    'main.tars':
      '#include "more.tars"\nmodule M { struct A { 0 require int x; }; }; module M { struct B { 0 require A a; 1 require C c; }; };',
    'more.tars': 'module M { struct C { 0 require int y; }; };',
  });
  const b = find(p, 'struct', 'B') as StructDecl;
  assert.deepEqual(
    b.members.map((m) => (m.type.kind === 'named' ? m.type.decl?.name : '')),
    ['A', 'C'],
  );
});

test('key[...] attaches its fields to the struct', () => {
  const p = loadMemory({
    'main.tars': 'module M { struct S { 0 require int a; 1 require string b; }; key[S, b, a]; };',
  });
  assert.deepEqual((find(p, 'struct', 'S') as StructDecl).key, ['b', 'a']);
});

test('operations take out and routekey parameters and may return void', () => {
  const p = loadMemory({
    'main.tars': 'module M { interface I { void f(routekey string k, out int n, vector<byte> data); }; };',
  });
  const op = (find(p, 'interface', 'I') as InterfaceDecl).operations[0];
  assert.equal(op?.returnType, undefined);
  assert.deepEqual(
    op?.params.map((x) => x.mode),
    ['routekey', 'out', 'in'],
  );
});

test('positions are 1-based lines and columns of the file as displayed', () => {
  const p = loadMemory({ 'main.tars': 'module M {\n  struct S {\n    7 require int a;\n  };\n};' });
  const m = (find(p, 'struct', 'S') as StructDecl).members[0];
  assert.deepEqual(m?.pos, { file: 'main.tars', line: 3, column: 5 });
});

test('CRLF line endings and a byte-order mark are accepted', () => {
  const p = loadMemory({
    'main.tars': '\uFEFFmodule M {\r\n  struct S {\r\n    0 require int a;\r\n  };\r\n};\r\n',
  });
  const m = (find(p, 'struct', 'S') as StructDecl).members[0];
  assert.deepEqual(m?.pos, { file: 'main.tars', line: 3, column: 5 });
});
