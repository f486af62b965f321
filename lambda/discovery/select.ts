/**
 * Which load balancers a run covers: selection by VPC, name and tag, opt-out and overrides
 * by tag. Pure, so that every rule is tested exactly.
 */
import { printable } from '../shared/printable';
import { settingIssue } from '../shared/settings';

/** Tags idle-canary reads on load balancers. */
export const TAGS = {
  /** Any value but `false` leaves the load balancer out. */
  skip: 'idle-canary:skip',
  /** The request path to probe with, instead of the health check's. */
  path: 'idle-canary:path',
  /** Headroom in seconds below which a phase fails. */
  margin: 'idle-canary:margin',
} as const;

export interface Selection {
  /** Only these VPCs. */
  readonly vpcIds?: readonly string[];
  /** Only these names (`*` matches any characters) or ARNs (an ALB's, or a Classic ELB's `...:loadbalancer/NAME`). */
  readonly names?: readonly string[];
  /** Only load balancers carrying every one of these tags, as `key=value` (or `key` for any value). */
  readonly tags?: readonly string[];
  /** Only the load balancers that forward to these target groups (by ARN), and only these groups' targets. */
  readonly targetGroupArns?: readonly string[];
}

/** A load balancer as far as selection needs to know it. */
export interface Candidate {
  readonly name: string;
  readonly vpcId: string;
  /** An ALB's ARN; Classic ELBs have none in their API. */
  readonly arn?: string;
}

/** Tags of one load balancer, or why they could not be read. */
export type TagsOrError = Readonly<Record<string, string>> | Error;

/** A listed load balancer as selection sees it. */
export interface Listed<T> extends Candidate {
  readonly item: T;
  /** What its tags are keyed by: the name (Classic) or the ARN (v2). */
  readonly tagKey: string;
}

/**
 * Applies the selection: place first (no API call), then tags, fetched only for what is left.
 *
 * Why tag errors do not exclude: without tags the opt-out cannot be honoured, so such a load
 * balancer is kept and reported as an error rather than silently dropped or probed.
 *
 * @example
 * const { selected, excluded } = await selectListed(listed, selection, 'classic', (keys) => fetchTags(keys));
 */
export async function selectListed<T>(
  listed: readonly Listed<T>[],
  selection: Selection,
  type: string,
  fetchTags: (keys: string[]) => Promise<Map<string, TagsOrError>>,
): Promise<{ selected: Array<{ item: T; tags: TagsOrError }>; excluded: Array<{ name: string; type: string; reason: string }> }> {
  const excluded: Array<{ name: string; type: string; reason: string }> = [];
  const keep = (entry: Listed<T>, reason: string | null) => {
    if (reason !== null) excluded.push({ name: entry.name, type, reason });
    return reason === null;
  };
  const placed = listed.filter((entry) => keep(entry, excludedByPlace(entry, selection)));
  const tags = await fetchTags(placed.map((entry) => entry.tagKey));
  const selected = placed
    .map((entry) => ({ entry, tags: tags.get(entry.tagKey) ?? {} }))
    .filter(({ entry, tags: entryTags }) => keep(entry, entryTags instanceof Error ? null : excludedByTags(entryTags, selection)));
  return { selected: selected.map(({ entry, tags: entryTags }) => ({ item: entry.item, tags: entryTags })), excluded };
}

/**
 * Whether a load balancer is left out by VPC or name (no API call needed), and why.
 *
 * @example
 * excludedByPlace({ name: 'web', vpcId: 'vpc-2' }, { vpcIds: ['vpc-1'] }); // 'not in the selected VPCs (vpc-1)'
 */
export function excludedByPlace(candidate: Candidate, selection: Selection): string | null {
  if (selection.vpcIds?.length && !selection.vpcIds.includes(candidate.vpcId)) return `not in the selected VPCs (${selection.vpcIds.join(', ')})`;
  if (selection.names?.length && !selection.names.some((pattern) => namedBy(pattern, candidate))) return `not among the selected names (${selection.names.join(', ')})`;
  return null;
}

/**
 * Whether a load balancer is left out by its tags (selection or opt-out), and why.
 */
export function excludedByTags(tags: Readonly<Record<string, string>>, selection: Selection): string | null {
  const skip = tags[TAGS.skip];
  if (skip !== undefined && skip.toLowerCase() !== 'false') return `opted out by the tag ${TAGS.skip}=${skip}`;
  const missing = (selection.tags ?? []).find((wanted) => {
    const [key, ...value] = wanted.split('=');
    return value.length === 0 ? !(key in tags) : tags[key] !== value.join('=');
  });
  return missing === undefined ? null : `does not carry the selected tag ${missing}`;
}

/**
 * Overrides read from tags: the request path and the margin.
 *
 * @throws Error naming the tag and the bad value
 */
export function tagOverrides(tags: Readonly<Record<string, string>>): { readonly path?: string; readonly marginS?: number } {
  const path = tags[TAGS.path];
  const margin = tags[TAGS.margin];
  if (path !== undefined && !path.startsWith('/')) throw new Error(`tag ${TAGS.path}="${printable(path, 100)}": expected a path starting with /`);
  const marginS = margin === undefined ? undefined : margin.trim() === '' ? NaN : Number(margin);
  const expected = marginS === undefined ? undefined : settingIssue('marginS', marginS);
  if (expected !== undefined) {
    throw new Error(`tag ${TAGS.margin}="${printable(margin!, 40)}": expected ${expected}`);
  }
  return { ...(path !== undefined ? { path } : {}), ...(marginS !== undefined ? { marginS } : {}) };
}

/**
 * Whether a selected name or ARN names the load balancer: an ALB's ARN exactly, a Classic ELB's
 * ARN (`arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/NAME`) by its name.
 */
function namedBy(pattern: string, candidate: Candidate): boolean {
  if (!pattern.startsWith('arn:')) return globMatches(pattern, candidate.name);
  if (candidate.arn !== undefined) return pattern === candidate.arn;
  return /:loadbalancer\/([^/]+)$/.exec(pattern)?.[1] === candidate.name;
}

function globMatches(pattern: string, name: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return regex.test(name);
}
