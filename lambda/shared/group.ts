/**
 * Adds an item to its group in a map of groups, creating the group on first use.
 *
 * Why in place: grouping thousands of backends or plan items by copying each group on every
 * addition is quadratic.
 *
 * @example
 * const byPort = new Map<number, Backend[]>();
 * for (const backend of backends) addToGroup(byPort, backend.port, backend);
 */
export function addToGroup<K, T>(groups: Map<K, T[]>, key: K, item: T): void {
  const group = groups.get(key);
  if (group === undefined) groups.set(key, [item]);
  else group.push(item);
}
