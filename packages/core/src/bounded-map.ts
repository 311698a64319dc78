/**
 * Sets `key` in a `Map` used as a least-recently-used cache (its insertion order is the order of
 * use): `key` moves to the end, and when the map holds `maxEntries` keys already, the first one
 * (the least recently used) is dropped. Every bounded map of this package is kept this way.
 */
export function setMostRecent<K, V>(map: Map<K, V>, key: K, value: V, maxEntries: number): void {
  map.delete(key);
  if (map.size >= maxEntries) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
  map.set(key, value);
}
