/**
 * Emits an interface as a client proxy class (`FooProxy`, over an `Invoker`) and, on request, an abstract servant
 * base (`FooServant`) whose static `operations` table the RPC server dispatches.
 *
 * Argument tags follow the TARS v1 rule: parameter i (1-based, in and out alike) is at tag i, the return value at 0.
 * Every argument also carries its Tars type name, which TUP version 2 puts on the wire. Each proxy has
 * `tars_ping()`, which every Tars servant answers, unless the IDL declares an operation of that name itself.
 */
import type { InterfaceDecl, Operation, Param, TarsType } from '../idl/ast.js';
import { TarsIdlError } from '../idl/errors.js';
import { quote, type CodeWriter } from './code-writer.js';
import type { Scope } from './scope.js';
import type { TypeMapper } from './type-mapping.js';

const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'yield let static implements interface package private protected public await arguments eval ' +
    // names the generated methods use themselves
    'options args res ctx'
  ).split(' '),
);

/** A parameter's TS name: its IDL name, with `_` appended when that is reserved here. */
function paramName(p: Param): string {
  return RESERVED.has(p.name) ? `${p.name}_` : p.name;
}

interface Shape {
  readonly ins: readonly { readonly p: Param; readonly tag: number }[];
  readonly outs: readonly { readonly p: Param; readonly tag: number }[];
  /** The result object type, or `void` when the operation returns nothing at all. */
  readonly resultType: string;
  /** Whether the servant method returns the bare value (no out params) rather than an object. */
  readonly bare: boolean;
}

function shapeOf(op: Operation, types: TypeMapper): Shape {
  const tagged = op.params.map((p, i) => ({ p, tag: i + 1 }));
  const ins = tagged.filter((x) => x.p.mode !== 'out');
  const outs = tagged.filter((x) => x.p.mode === 'out');
  for (const o of outs) {
    if (op.returnType && o.p.name === 'ret') {
      throw new TarsIdlError(
        o.p.pos,
        `out parameter 'ret' clashes with the return value in the generated result`,
      );
    }
  }
  const props = [
    ...(op.returnType ? [`ret: ${types.tsType(op.returnType, types.isBinary(op))}`] : []),
    ...outs.map((o) => `${o.p.name}: ${types.tsType(o.p.type, types.isBinary(o.p))}`),
  ];
  return {
    ins,
    outs,
    resultType: props.length === 0 ? 'void' : `{ ${props.join('; ')} }`,
    bare: outs.length === 0,
  };
}

/** `args.write(...)` / `result.write(...)` of one value: tag, name, value, writer and TUP v2 type name. */
function writeCall(
  target: string,
  tag: number,
  name: string,
  value: string,
  t: TarsType,
  bin: boolean,
  types: TypeMapper,
): string {
  return `${target}.write(${tag}, ${quote(name)}, ${value}, ${types.valueWriter(t, bin)}, ${quote(types.typeName(t))});`;
}

/** `args.read(...)` / `res.read(...)` of one value. */
function readCall(
  source: string,
  tag: number,
  name: string,
  t: TarsType,
  bin: boolean,
  types: TypeMapper,
): string {
  return `${source}.read(${tag}, ${quote(name)}, ${types.valueReader(t, bin)}, ${quote(types.typeName(t))})`;
}

export function emitProxy(out: CodeWriter, i: InterfaceDecl, scope: Scope, types: TypeMapper): void {
  const invoker = scope.runtime('Invoker');
  const callOptions = scope.runtime('CallOptions');
  out.line(`/** Client proxy of Tars interface \`${i.module}.${i.name}\`: one method per operation. */`);
  out.open(`export class ${i.name}Proxy {`);
  out.line(`/** The IDL name of the interface. */`);
  out.line(`static readonly idlName = '${i.module}.${i.name}';`);
  out.line(`readonly #invoker: ${invoker};`);
  out.line();
  out.open(`constructor(invoker: ${invoker}) {`);
  out.line('this.#invoker = invoker;');
  out.close();
  if (!i.operations.some((op) => op.name === 'tars_ping')) {
    out.line();
    out.line(
      `/** Resolves when the servant answers \`tars_ping\` (every Tars servant does); rejects like any call. */`,
    );
    out.open(`async tars_ping(options?: ${callOptions}): Promise<void> {`);
    out.line(`await this.#invoker.invoke('tars_ping', () => {}, () => undefined, options);`);
    out.close();
  }
  for (const op of i.operations) {
    checkOpName(op);
    const shape = shapeOf(op, types);
    const params = [
      ...shape.ins.map(({ p }) => `${paramName(p)}: ${types.tsType(p.type, types.isBinary(p))}`),
      `options?: ${callOptions}`,
    ];
    out.line();
    out.line(`/** \`${signature(op)}\` */`);
    out.open(`async ${op.name}(${params.join(', ')}): Promise<${shape.resultType}> {`);
    out.open(`return this.#invoker.invoke(`);
    out.line(`${quote(op.name)},`);
    if (shape.ins.length === 0) out.line('() => {},');
    else {
      out.open('(args) => {');
      for (const { p, tag } of shape.ins) {
        out.line(writeCall('args', tag, p.name, paramName(p), p.type, types.isBinary(p), types));
      }
      out.close('},');
    }
    if (shape.resultType === 'void') out.line('() => undefined,');
    else {
      out.open('(res) => ({');
      if (op.returnType)
        out.line(`ret: ${readCall('res', 0, '', op.returnType, types.isBinary(op), types)},`);
      for (const { p, tag } of shape.outs) {
        out.line(`${p.name}: ${readCall('res', tag, p.name, p.type, types.isBinary(p), types)},`);
      }
      out.close('}),');
    }
    out.line('options,');
    out.close(');');
    out.close();
  }
  out.close();
}

export function emitServant(out: CodeWriter, i: InterfaceDecl, scope: Scope, types: TypeMapper): void {
  const ctxType = scope.runtime('ServantCallContext');
  const opType = scope.runtime('ServantOperation');
  const cls = `${i.name}Servant`;
  out.line(`/**`);
  out.line(
    ` * Server side of Tars interface \`${i.module}.${i.name}\`: extend it and implement every operation.`,
  );
  out.line(` * Each method gets the in-parameters, then the call context; it returns (or resolves to) the`);
  out.line(` * return value, or \`{ ret, ...outParams }\` when the operation has out-parameters.`);
  out.line(` */`);
  out.open(`export abstract class ${cls} {`);
  out.line(`/** The IDL name of the interface. */`);
  out.line(`static readonly idlName = '${i.module}.${i.name}';`);
  for (const op of i.operations) {
    const shape = shapeOf(op, types);
    const params = [
      ...shape.ins.map(({ p }) => `${paramName(p)}: ${types.tsType(p.type, types.isBinary(p))}`),
      `ctx: ${ctxType}`,
    ];
    const ret = shape.bare
      ? op.returnType
        ? types.tsType(op.returnType, types.isBinary(op))
        : 'void'
      : shape.resultType;
    out.line();
    out.line(`/** \`${signature(op)}\` */`);
    out.line(`abstract ${op.name}(${params.join(', ')}): Promise<${ret}> | ${ret};`);
  }
  out.line();
  out.line(`/** The operations by IDL name, for the RPC server's dispatcher. */`);
  const table = `static readonly operations: Record<string, ${opType}<${cls}>> =`;
  if (i.operations.length === 0) out.line(`${table} {};`);
  else {
    out.open(`${table} {`);
    for (const op of i.operations) emitDispatch(out, op, shapeOf(op, types), types);
    out.close('};');
  }
  out.close();
}

function emitDispatch(out: CodeWriter, op: Operation, shape: Shape, types: TypeMapper): void {
  const resultUsed = shape.resultType !== 'void';
  const argsUsed = shape.ins.length > 0;
  out.open(
    `${op.name}: async (impl, ${argsUsed ? 'args' : '_args'}, ${resultUsed ? 'result' : '_result'}, ctx) => {`,
  );
  const call = `${resultUsed ? 'const out = ' : ''}await impl.${op.name}(`;
  if (!argsUsed) out.line(`${call}ctx);`);
  else {
    out.open(call);
    for (const { p, tag } of shape.ins)
      out.line(`${readCall('args', tag, p.name, p.type, types.isBinary(p), types)},`);
    out.line('ctx,');
    out.close(');');
  }
  if (resultUsed && shape.bare) {
    out.line(writeCall('result', 0, '', 'out', op.returnType as TarsType, types.isBinary(op), types));
  } else if (resultUsed) {
    if (op.returnType)
      out.line(writeCall('result', 0, '', 'out.ret', op.returnType, types.isBinary(op), types));
    for (const { p, tag } of shape.outs) {
      out.line(writeCall('result', tag, p.name, `out.${p.name}`, p.type, types.isBinary(p), types));
    }
  }
  out.close('},');
}

function checkOpName(op: Operation): void {
  if (op.name === 'constructor')
    throw new TarsIdlError(op.pos, `an operation cannot be named 'constructor' in TypeScript`);
}

/** The operation as IDL text, for doc comments. */
function signature(op: Operation): string {
  const params = op.params.map((p) => `${p.mode === 'in' ? '' : `${p.mode} `}${idlType(p.type)} ${p.name}`);
  return `${op.returnType ? idlType(op.returnType) : 'void'} ${op.name}(${params.join(', ')})`;
}

function idlType(t: TarsType): string {
  switch (t.kind) {
    case 'primitive':
      return t.name;
    case 'vector':
      return `vector<${idlType(t.item)}>`;
    case 'map':
      return `map<${idlType(t.key)}, ${idlType(t.value)}>`;
    case 'named':
      return t.name;
  }
}
