/** The 4-bit type numbers of a Tars head (see the spec, section 1). */
export const WireType = {
  Int8: 0,
  Int16: 1,
  Int32: 2,
  Int64: 3,
  Float: 4,
  Double: 5,
  String1: 6,
  String4: 7,
  Map: 8,
  List: 9,
  StructBegin: 10,
  StructEnd: 11,
  Zero: 12,
  SimpleList: 13,
} as const;
export type WireType = (typeof WireType)[keyof typeof WireType];
