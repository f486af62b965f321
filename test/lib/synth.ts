/**
 * Builds the real CDK app from a configuration, for template tests.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { buildApp } from '../../lib/app';
import { Construct, type IConstruct } from 'constructs';
import { vpcsFromIds } from '../../lib/config';
import type { IdleCanaryStack } from '../../lib/idle-canary-stack';
import { ensureBuilt } from '../support/built-package';
import { CACHE } from '../support/cache';
import { STACK, VPC } from './stacks';

// Every template test imports this module: the construct deploys the Lambda bundles of `dist/`.
const BUILT = ensureBuilt();

export { STACK, VPC } from './stacks';

/** `VPC` as the construct takes it, imported under a scope of its own in `scope` (so a second monitor's imports never clash). */
export function importedVpcs(scope: IConstruct, id = 'ImportedVpcs') {
  return vpcsFromIds(new Construct(scope, id), [VPC]);
}

/** A synthesized app: the construct tree, the cloud assembly and the stack's template. */
export interface Synthesized {
  readonly app: App;
  readonly assembly: CloudAssembly;
  readonly stack: IdleCanaryStack;
  readonly template: Template;
}

/** Where templates are kept between test files and runs, by `configurationKey`. */
const TEMPLATES = join(CACHE, 'templates');

/** This file's own text, part of every key: a change to how the app is built here changes them all. */
const SELF = readFileSync(__filename, 'utf8');

/**
 * What determines a synth's outcome: the sources (lib/, the bundles built from lambda/, the
 * locked dependencies; `ensureBuilt`'s digest) and the configuration, with `undefined` values
 * kept apart from absent keys. None when the configuration holds anything but plain data.
 */
function configurationKey(stack: Record<string, unknown>): string | undefined {
  let plain = true;
  const text = JSON.stringify(stack, (_key, value: unknown) => {
    if (value === undefined) return '\u0000undefined';
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype) plain = false;
    if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') plain = false;
    return value;
  });
  return plain ? createHash('sha256').update(`${BUILT}\0${SELF}\0${text}`).digest('hex') : undefined;
}

function synthesize(stack: Record<string, unknown>): Synthesized {
  const app = buildApp(new App({ context: { 'idle-canary': { stacks: [stack] } } }));
  const assembly = app.synth();
  const cdkStack = app.node.children[0] as IdleCanaryStack;
  return { app, assembly, stack: cdkStack, template: Template.fromStack(cdkStack) };
}

/** The template of a configuration synthesized before (in any file, by any run), or none. */
function keptTemplate(key: string): Template | undefined {
  const file = join(TEMPLATES, `${key}.json`);
  return existsSync(file) ? Template.fromJSON(JSON.parse(readFileSync(file, 'utf8'))) : undefined;
}

function keepTemplate(key: string, template: Template): void {
  mkdirSync(TEMPLATES, { recursive: true });
  const file = join(TEMPLATES, `${key}.json`);
  // Written aside and renamed, so another jest worker never reads half a template.
  writeFileSync(`${file}.${process.pid}`, JSON.stringify(template.toJSON()));
  renameSync(`${file}.${process.pid}`, file);
}

/** The synths of this test file, by configuration. */
const synthesized = new Map<string, Synthesized>();

/**
 * Synthesizes the app, with the Lambda bundles that `npm run build` wrote (`ensureBuilt` above),
 * and cdk-nag's checks.
 *
 * Why it is cached: about 80 template tests synthesize a few dozen configurations, a few
 * seconds each with cdk-nag. A configuration is synthesized once per test file, and a test that
 * reads only the template gets it from a synth of the same configuration and sources by any
 * earlier file or run (which passed cdk-nag, or nothing was kept). The construct tree and the
 * assembly are always this file's own synth, made when first read.
 *
 * @example
 * const { template, stack } = synth({ ...STACK, metrics: 'detailed' });
 */
export function synth(stack: Record<string, unknown> = STACK): Synthesized {
  const key = configurationKey(stack);
  if (key === undefined) return synthesize(stack);
  const real = (): Synthesized => {
    let made = synthesized.get(key);
    if (made === undefined) {
      made = synthesize(stack);
      synthesized.set(key, made);
      keepTemplate(key, made.template);
    }
    return made;
  };
  let template: Template | undefined;
  return {
    get app() {
      return real().app;
    },
    get assembly() {
      return real().assembly;
    },
    get stack() {
      return real().stack;
    },
    get template() {
      template ??= synthesized.get(key)?.template ?? keptTemplate(key) ?? real().template;
      return template;
    },
  };
}

/** The state machine definition as JSON, with references shown as `${LogicalId}`. */
export function stateMachineDefinition(template: Template): { States: Record<string, Record<string, unknown>>; StartAt: string } {
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  const parts = (machine.Properties.DefinitionString['Fn::Join'] as [string, unknown[]])[1];
  const text = parts.map((part) => (typeof part === 'string' ? part : `\${${JSON.stringify(part).replace(/"/g, "'")}}`)).join('');
  return JSON.parse(text);
}

/** The logical id CDK gave a construct's resource (its default child, or itself). */
export function logicalIdOf(construct: IConstruct): string {
  const resource = (CfnElement.isCfnElement(construct) ? construct : construct.node.defaultChild) as CfnElement;
  return Stack.of(construct).resolve(resource.logicalId) as string;
}

/** The statements of the default policy of a role (a function's, a task's), as synthesized. */
export function roleStatements(template: Template, role: IConstruct | undefined): unknown[] {
  const policy = role?.node.tryFindChild('DefaultPolicy');
  return policy === undefined ? [] : (template.toJSON().Resources[logicalIdOf(policy)].Properties.PolicyDocument.Statement as unknown[]);
}
