/**
 * cdk-nag findings acknowledged on the construct that causes them, each with its reason.
 *
 * Why matched rather than spelled out: a wildcard finding names its resource by logical id
 * (`AwsSolutions-IAM5[Resource::<IdleCanaryReportsC0FFEE.Arn>/idle-canary/*]`), which CDK
 * derives and may change. The finding's text is read from cdk-nag's own rule on each resource
 * under the construct, and acknowledged when it matches a pattern that says what the wildcard
 * is for; a wildcard no pattern describes still fails the synth.
 */
import { Aspects, CfnResource, Validations } from 'aws-cdk-lib';
import type { rules as NagRules } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** The cdk-nag rule id of wildcard permissions. */
const WILDCARD_RULE = 'AwsSolutions-IAM5';

/** Acknowledges cdk-nag findings, given by their exact id, on a construct and what it holds. */
export function acknowledge(scope: IConstruct, ids: readonly string[], reason: string): void {
  for (const id of ids) Validations.of(scope).acknowledge({ id, reason });
}

/** The finding id of an AWS managed policy on a role (its text holds no logical id). */
export function managedPolicyFinding(name: string): string {
  return `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${name}]`;
}

/** Wildcards that one reason covers: the patterns of their finding's text. */
export interface WildcardGrant {
  readonly patterns: readonly RegExp[];
  readonly reason: string;
}

/**
 * Acknowledges the wildcard findings of the policies under `scope` whose text matches a grant's
 * pattern, with that grant's reason.
 *
 * Why all of a construct's grants in one call: each call reads every policy under the scope
 * with cdk-nag's rule; one aspect per construct reads them once.
 *
 * @example
 * acknowledgeWildcards(fn, { patterns: [objectsUnder('idle-canary/plans/*')], reason: 'Each run writes its plan files under plans/.' });
 */
export function acknowledgeWildcards(scope: IConstruct, ...grants: readonly WildcardGrant[]): void {
  const rules = nagRules();
  // Without cdk-nag in the app nothing checks the findings, so there is nothing to acknowledge.
  if (rules === undefined) return;
  Aspects.of(scope).add({
    visit(node: IConstruct): void {
      if (!CfnResource.isCfnResource(node)) return;
      const findings = rules.iam.IAMNoWildcardPermissions(node);
      if (!Array.isArray(findings)) return;
      for (const finding of findings) {
        const grant = grants.find(({ patterns }) => patterns.some((pattern) => pattern.test(finding)));
        if (grant !== undefined) Validations.of(node).acknowledge({ id: `${WILDCARD_RULE}[${finding}]`, reason: grant.reason });
      }
    },
  });
}

/**
 * cdk-nag's rules, when the app has cdk-nag (an optional peer dependency of the package).
 *
 * Why loaded here and not imported: a user's CDK app without cdk-nag must still load the construct.
 */
function nagRules(): typeof NagRules | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('cdk-nag') as { rules: typeof NagRules }).rules;
  } catch {
    return undefined;
  }
}

/** A regular expression matching `text` literally. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A wildcard on the objects of a bucket of this stack, under `keys` (e.g. `idle-canary/plans/*`). */
export function objectsUnder(keys: string): RegExp {
  return new RegExp(`^Resource::<[^>]+\\.Arn>/${literal(keys)}$`);
}

/** Every object of a bucket of this stack, as CDK grants a Distributed Map (`arn:...:s3:::<bucket>/*`). */
export const ALL_OBJECTS = /^Resource::arn:<AWS::Partition>:s3:::<[^>]+>\/\*$/;

/** A function's versions and aliases (`<fn.Arn>:*`), as CDK grants invoking it. */
export const FUNCTION_VERSIONS = /^Resource::<[^>]+\.Arn>:\*$/;

/** A Distributed Map's child executions of its own state machine, by id known only at run time. */
export const CHILD_EXECUTIONS = /^Resource::arn:<AWS::Partition>:states:[^:]+:[^:]+:execution:.+:\*$/;

/** A task definition's revisions (`family:*`): CDK writes its ARN without the revision, from parts of its ARN. */
export const TASK_DEFINITION_REVISIONS = /^Resource::arn:\{.+\}:\*$/;

/** Objects of the named buckets (imported by name, so their ARNs are plain text). */
export function objectsOfBuckets(names: readonly string[]): RegExp {
  return new RegExp(`^Resource::arn:<AWS::Partition>:s3:::(${names.map(literal).join('|')})/.+\\*$`);
}

/** The account's CloudFront distributions and VPC origins (`arn:<partition>:cloudfront::<account>:vpcorigin/*`), read by ids found at run time. */
export const CLOUDFRONT_READS = /^Resource::arn:(<AWS::Partition>|aws[a-z-]*):cloudfront::(<AWS::AccountId>|\d{12}):(distribution|vpcorigin)\/\*$/;
