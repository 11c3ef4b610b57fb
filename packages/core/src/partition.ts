/**
 * The partition of a stream on the memory and SQLite stores: FNV-1a over the UTF-16 code
 * units of its id, modulo `count` (SQLite registers it as an SQL function). PostgreSQL uses
 * its own `hashtext` in SQL. What matters is that each store always puts a stream in the
 * same partition, so the stream keeps its order there; partitions are not portable between
 * stores (a projection copied to another store rebuilds anyway).
 */
export function partitionOf(streamId: string, count: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < streamId.length; i++) {
    h ^= streamId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % count;
}
