/**
 * The on-disk format of {@link FileRoomStore}: file names and the checked parsing of file contents. Anything that
 * does not parse into the exact expected shape is reported as corrupted by the caller, never trusted.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ConnId, RoomId } from '../types.js';

/** `r-<sha256 hex>.json`: one per non-empty room. */
export const ROOM_FILE = /^r-[0-9a-f]{64}\.json$/;
/** `c-<connId>.json`: one per connection in at least one room. */
export const CONN_FILE = /^c-\d+\.json$/;
/** Prefix of files being written; renamed over their target when complete. */
export const TEMP_PREFIX = '.tmp-';
/** proper-lockfile's lock directory. */
export const LOCK_NAME = '.lock';

/** Contents of a room file. */
export interface RoomFile {
  room: RoomId;
  members: ConnId[];
}

/** Contents of a connection's index file. */
export interface IndexFile {
  conn: ConnId;
  rooms: RoomId[];
}

/**
 * The file name of a room, never derived from the raw key: no traversal, no case folding on case-insensitive file
 * systems, no reserved names (CON, NUL), fixed length whatever the key's length. UTF-16 code units are hashed rather
 * than UTF-8 so that distinct keys with lone surrogates cannot map to the same name.
 */
export function roomFileName(room: RoomId): string {
  return `r-${createHash('sha256').update(room, 'utf16le').digest('hex')}.json`;
}

/** The file name of a connection's index; conn must already be validated (a non-negative safe integer). */
export function indexFileName(conn: ConnId): string {
  return `c-${conn}.json`;
}

/** Parses a room file, or undefined if it is not exactly a room file. Duplicate members are dropped. */
export function parseRoomFile(text: string): RoomFile | undefined {
  const value = parseJson(text);
  if (!isRecord(value) || typeof value.room !== 'string' || !Array.isArray(value.members)) return undefined;
  const members: unknown[] = value.members;
  if (!members.every(isConnId)) return undefined;
  return { room: value.room, members: [...new Set(members)] };
}

/** Parses an index file, or undefined if it is not exactly an index file. */
export function parseIndexFile(text: string): IndexFile | undefined {
  const value = parseJson(text);
  if (!isRecord(value) || !isConnId(value.conn) || !Array.isArray(value.rooms)) return undefined;
  const rooms: unknown[] = value.rooms;
  if (!rooms.every((r): r is RoomId => typeof r === 'string')) return undefined;
  return { conn: value.conn, rooms: [...new Set(rooms)] };
}

/** A file's text, or undefined if it does not exist (an empty room or a connection in no room). */
export async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** The `code` of a Node.js system error (`ENOENT`, `ELOCKED`, ...). */
export function errorCode(err: unknown): unknown {
  return typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
}

function isConnId(value: unknown): value is ConnId {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
