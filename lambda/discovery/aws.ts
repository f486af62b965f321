/**
 * What every discovery call shares: clients with adaptive retry, a count of API calls, errors
 * that name the operation, and bounded concurrency.
 */
import { printable } from '../shared/printable';
import type { TokenBucket } from './pace';

/** Counts the API calls of a run. */
export interface CallCounter {
  count: number;
}

/**
 * The client, pacing and counting every call it sends (paginators' pages included).
 *
 * Why a proxy around `send`: the count must be right whoever intercepts the requests (tests
 * stub `send`), and the caller's client is left as it was. Retries inside the SDK are not
 * counted: the adaptive retry mode already paces them against the service's token bucket.
 */
export function meteredClient<C extends { send(...args: never[]): unknown }>(client: C, counter: CallCounter, bucket: TokenBucket): C {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (...args: never[]) => {
        await bucket.take();
        counter.count++;
        return target.send(...args);
      };
    },
  });
}

/** Client settings of discovery: adaptive retry, since the Describe APIs share a small token bucket; a named profile's credentials when given. */
export const clientConfig = (region: string, profile?: string) => ({ region, retryMode: 'adaptive', maxAttempts: 5, ...(profile !== undefined ? { profile } : {}) }) as const;

/** Longest AWS error message a discovery error keeps (longer ones are cut, with `...`). */
const MAX_AWS_MESSAGE = 1000;

/**
 * Runs an AWS call and, if it fails, rethrows with the operation's name in the message:
 * `DescribeInstanceHealth: AccessDenied: User ... is not authorized ...`.
 *
 * Why the service's name and message are bounded and escaped here: every discovery error (and
 * the CloudFront reasons that quote one) reaches reports and terminals through this one place.
 */
export async function call<T>(operation: string, request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (error) {
    const name = (error as Error).name ?? 'Error';
    throw new Error(`${operation}: ${printable(String(name), 64)}: ${printable(String((error as Error).message), MAX_AWS_MESSAGE)}`, { cause: error });
  }
}

/**
 * Every item of every page of a paginated call, as one call for `call`'s error message.
 *
 * @example
 * const all = await allPages('DescribeTargetGroups', paginateDescribeTargetGroups({ client }, {}), (page) => page.TargetGroups);
 */
export async function allPages<P, I>(operation: string, pages: AsyncIterable<P>, itemsOf: (page: P) => readonly I[] | undefined): Promise<I[]> {
  return call(
    operation,
    (async () => {
      const items: I[] = [];
      for await (const page of pages) items.push(...(itemsOf(page) ?? []));
      return items;
    })(),
  );
}

/**
 * Waits for all the calls, then throws the first failure, after letting the caller keep
 * what did succeed (the idle timeout survives a failing health call).
 */
export async function settledOrThrow<T extends readonly unknown[]>(
  calls: T,
  keep: (settled: { -readonly [K in keyof T]: Awaited<T[K]> | undefined }) => void,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(calls);
  keep(settled.map((s) => (s.status === 'fulfilled' ? s.value : undefined)) as { -readonly [K in keyof T]: Awaited<T[K]> | undefined });
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}

/** Maps with at most `limit` calls in flight, in order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Reads tags in batches; a failed batch marks its keys with the error, the others go on.
 */
export async function tagsInBatches(
  keys: readonly string[],
  batchSize: number,
  fetchBatch: (batch: string[]) => Promise<Array<{ key: string; tags: ReadonlyArray<{ Key?: string; Value?: string }> }>>,
): Promise<Map<string, Readonly<Record<string, string>> | Error>> {
  const tags = new Map<string, Readonly<Record<string, string>> | Error>();
  for (const batch of chunks(keys, batchSize)) {
    try {
      for (const { key, tags: list } of await fetchBatch(batch)) tags.set(key, Object.fromEntries(list.map((t) => [t.Key!, t.Value ?? ''])));
    } catch (error) {
      for (const key of batch) tags.set(key, error as Error);
    }
  }
  return tags;
}

/** Splits into chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}
