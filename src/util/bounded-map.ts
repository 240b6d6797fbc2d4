/**
 * Sets `key` as the newest entry of `map` (a Map keeps insertion order) and drops the oldest
 * entries beyond `max`, so per-token and per-session memories stay bounded.
 */
export function rememberNewest<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  for (const oldest of map.keys()) {
    if (map.size <= max) break;
    map.delete(oldest);
  }
}
