/**
 * Merges options over defaults, once, the way every module of idle-canary takes options.
 *
 * Why not a plain spread: an option passed as `undefined` (a flag not given) must keep its
 * default instead of erasing it.
 *
 * @example
 * const settings = withDefaults({ marginS: 1, precisionS: 0.5 }, { marginS: undefined, precisionS: 0.1 });
 * // { marginS: 1, precisionS: 0.1 }
 */
export function withDefaults<D extends object, O extends object>(defaults: D, options: O): D & O {
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  return { ...defaults, ...given } as D & O;
}
