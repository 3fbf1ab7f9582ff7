/**
 * Our side of the interop interface (Interop.tars), written the way tars2ts emits it: struct companions per
 * `TarsStructType`, a client proxy over an `Invoker`, and a servant operation table. `EchoImpl` behaves exactly like
 * `InteropImp.cjs` (the @tars/rpc servant), so the same assertions hold against either server.
 */
import type {
  ArgReader,
  CallOptions,
  Invoker,
  ServantCallContext,
  ServantOperation,
  TarsStructType,
} from '../../../src/tars/contract.js';
import { TarsValues as V } from '../../../src/tars/codec/values.js';
import { TarsRpcError } from '../../../src/tars/rpc/errors.js';

export const Color = { RED: 0, GREEN: 5, BLUE: 6 } as const;
export type Color = (typeof Color)[keyof typeof Color];

export interface Item {
  id: number;
  name: string;
  color: number;
  tags: string[];
  scores: Map<string, number>;
  big: bigint;
  flag: boolean;
  ratio: number;
}
export const Item: TarsStructType<Item> = {
  name: 'Interop.Item',
  create: () => ({
    id: 0,
    name: '',
    color: Color.GREEN,
    tags: [],
    scores: new Map(),
    big: 0n,
    flag: false,
    ratio: 0,
  }),
  write(w, v) {
    w.writeInt32(0, v.id);
    w.writeString(1, v.name);
    w.writeInt32(2, v.color);
    w.writeList(3, v.tags, V.string.write);
    w.writeMap(4, v.scores, V.string.write, V.int32.write);
    w.writeInt64(5, v.big);
    w.writeBool(6, v.flag);
    w.writeDouble(7, v.ratio);
  },
  read: (r) => ({
    id: r.readInt32(0, true, 0),
    name: r.readString(1, false, ''),
    color: r.readInt32(2, false, Color.GREEN),
    tags: r.readList(3, false, V.string.read),
    scores: r.readMap(4, false, V.string.read, V.int32.read),
    big: r.readInt64(5, false, 0n),
    flag: r.readBool(6, false, false),
    ratio: r.readDouble(7, false, 0),
  }),
};

export interface Bag {
  items: Item[];
  byId: Map<number, Item>;
  blob: Uint8Array;
}
const item = V.struct(Item);
export const Bag: TarsStructType<Bag> = {
  name: 'Interop.Bag',
  create: () => ({ items: [], byId: new Map(), blob: new Uint8Array(0) }),
  write(w, v) {
    w.writeList(0, v.items, item.write);
    w.writeMap(1, v.byId, V.int32.write, item.write);
    w.writeBytes(2, v.blob);
  },
  read: (r) => ({
    items: r.readList(0, false, item.read),
    byId: r.readMap(1, false, V.int32.read, item.read),
    blob: r.readBytes(2, false, new Uint8Array(0)),
  }),
};
const bag = V.struct(Bag);
const attrsCodec = V.map(V.string, V.string);
const itemsCodec = V.list(item);

/** The servant interface. */
export interface Echo {
  hello(no: number, name: string, ctx: ServantCallContext): Promise<string>;
  echoItem(req: Item, ctx: ServantCallContext): Promise<{ ret: number; rsp: Item }>;
  pack(
    items: Item[],
    attrs: Map<string, string>,
    ctx: ServantCallContext,
  ): Promise<{ ret: number; bag: Bag; count: number }>;
  fail(code: number, message: string, ctx: ServantCallContext): Promise<void>;
  next(c: number, ctx: ServantCallContext): Promise<number>;
}

export const echoOperations: Record<string, ServantOperation<Echo>> = {
  async hello(impl, a, res, ctx) {
    const no = a.read(1, 'no', V.int32.read, V.int32.typeName);
    const name = a.read(2, 'name', V.string.read, V.string.typeName);
    res.write(0, '', await impl.hello(no, name, ctx), V.string.write, V.string.typeName);
  },
  async echoItem(impl, a, res, ctx) {
    const req = a.read(1, 'req', item.read, item.typeName);
    const out = await impl.echoItem(req, ctx);
    res.write(0, '', out.ret, V.int32.write, V.int32.typeName);
    res.write(2, 'rsp', out.rsp, item.write, item.typeName);
  },
  async pack(impl, a, res, ctx) {
    const items = a.read(1, 'items', itemsCodec.read, itemsCodec.typeName);
    const attrs = a.read(2, 'attrs', attrsCodec.read, attrsCodec.typeName);
    const out = await impl.pack(items, attrs, ctx);
    res.write(0, '', out.ret, V.int32.write, V.int32.typeName);
    res.write(3, 'bag', out.bag, bag.write, bag.typeName);
    res.write(4, 'count', out.count, V.int32.write, V.int32.typeName);
  },
  async fail(impl, a, _res, ctx) {
    const code = a.read(1, 'code', V.int32.read, V.int32.typeName);
    const message = a.read(2, 'message', V.string.read, V.string.typeName);
    await impl.fail(code, message, ctx);
  },
  async next(impl, a, res, ctx) {
    res.write(
      0,
      '',
      await impl.next(a.read(1, 'c', V.int32.read, V.int32.typeName), ctx),
      V.int32.write,
      V.int32.typeName,
    );
  },
};

/** The client proxy. */
export class EchoProxy {
  readonly #inv: Invoker;
  constructor(invoker: Invoker) {
    this.#inv = invoker;
  }
  hello(no: number, name: string, options?: CallOptions): Promise<{ ret: string }> {
    return this.#inv.invoke(
      'hello',
      (a) => {
        a.write(1, 'no', no, V.int32.write, V.int32.typeName);
        a.write(2, 'name', name, V.string.write, V.string.typeName);
      },
      (r: ArgReader) => ({ ret: r.read(0, '', V.string.read, V.string.typeName) }),
      options,
    );
  }
  echoItem(req: Item, options?: CallOptions): Promise<{ ret: number; rsp: Item }> {
    return this.#inv.invoke(
      'echoItem',
      (a) => a.write(1, 'req', req, item.write, item.typeName),
      (r) => ({
        ret: r.read(0, '', V.int32.read, V.int32.typeName),
        rsp: r.read(2, 'rsp', item.read, item.typeName),
      }),
      options,
    );
  }
  pack(
    items: Item[],
    attrs: Map<string, string>,
    options?: CallOptions,
  ): Promise<{ ret: number; bag: Bag; count: number }> {
    return this.#inv.invoke(
      'pack',
      (a) => {
        a.write(1, 'items', items, itemsCodec.write, itemsCodec.typeName);
        a.write(2, 'attrs', attrs, attrsCodec.write, attrsCodec.typeName);
      },
      (r) => ({
        ret: r.read(0, '', V.int32.read, V.int32.typeName),
        bag: r.read(3, 'bag', bag.read, bag.typeName),
        count: r.read(4, 'count', V.int32.read, V.int32.typeName),
      }),
      options,
    );
  }
  fail(code: number, message: string, options?: CallOptions): Promise<void> {
    return this.#inv.invoke(
      'fail',
      (a) => {
        a.write(1, 'code', code, V.int32.write, V.int32.typeName);
        a.write(2, 'message', message, V.string.write, V.string.typeName);
      },
      () => undefined,
      options,
    );
  }
  next(c: number, options?: CallOptions): Promise<{ ret: number }> {
    return this.#inv.invoke(
      'next',
      (a) => a.write(1, 'c', c, V.int32.write, V.int32.typeName),
      (r) => ({ ret: r.read(0, '', V.int32.read, V.int32.typeName) }),
      options,
    );
  }
}

/** Same behaviour as InteropImp.cjs. */
export class EchoImpl implements Echo {
  async hello(no: number, name: string): Promise<string> {
    return `hello ${name} #${no}`;
  }
  async echoItem(req: Item): Promise<{ ret: number; rsp: Item }> {
    return {
      ret: req.id,
      rsp: { ...req, id: req.id + 1, name: `${req.name}!`, tags: [...req.tags, 'echoed'] },
    };
  }
  async pack(items: Item[], attrs: Map<string, string>): Promise<{ ret: number; bag: Bag; count: number }> {
    const keys = [...attrs.keys()].sort();
    return {
      ret: attrs.size,
      count: items.length,
      bag: { items, byId: new Map(items.map((i) => [i.id, i])), blob: Buffer.from(keys.join(','), 'utf8') },
    };
  }
  async fail(code: number, message: string): Promise<void> {
    throw new TarsRpcError(code, message);
  }
  async next(c: number): Promise<number> {
    return c === Color.RED ? Color.GREEN : c === Color.GREEN ? Color.BLUE : Color.RED;
  }
}
