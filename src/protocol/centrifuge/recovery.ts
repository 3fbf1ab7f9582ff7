/**
 * Subscribe with history: the stream position for a subscriber that wants one, and the recovery of what a
 * resubscribing client missed, decided as Centrifugo decides it (same epoch, no gap after the client's offset, not
 * more than the publication limit). Pure functions of the history read; the session holds and releases the live
 * pushes around the read (see SessionHost.hold).
 */
import {
  wirePublication,
  type ReadResult,
  type StreamPosition,
  type WirePublication,
} from '../../history/history-store.js';

/** The client's last position from a subscribe request (`offset`, `epoch`); offset 0 / epoch '' when absent. */
export function requestedPosition(p: Record<string, unknown>): StreamPosition {
  const offset = p['offset'];
  const epoch = p['epoch'];
  return {
    offset: typeof offset === 'number' && Number.isSafeInteger(offset) && offset >= 0 ? offset : 0,
    epoch: typeof epoch === 'string' ? epoch : '',
  };
}

/** What a recovery gives: the subscribe result fields and the offset the live stream continues after. */
export interface Recovery {
  recovered: boolean;
  publications: WirePublication[];
  /** Live publications at or below it were in the reply (or before the client's position): not sent again. */
  after: number;
}

/**
 * Decides a recovery from a read `since` the client's position with `limit + 1` publications: recovered when the
 * epoch is the same, the first missed publication directly follows the client's offset (or nothing was missed) and
 * no more than `limit` were missed. Publications of the same epoch go out even when not all could be recovered.
 */
export function recover(since: StreamPosition, read: ReadResult, limit: number): Recovery {
  if (read.epoch !== since.epoch) return { recovered: false, publications: [], after: read.offset };
  const missed = read.publications.slice(0, limit);
  const first = missed[0];
  const recovered =
    read.publications.length <= limit &&
    (first === undefined ? read.offset === since.offset : first.offset === since.offset + 1);
  const last = missed[missed.length - 1];
  return {
    recovered,
    publications: missed.map(wirePublication),
    after: last === undefined ? Math.max(since.offset, read.offset) : last.offset,
  };
}
