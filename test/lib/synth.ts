/**
 * Builds the real CDK app from a configuration, for template tests.
 */
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/app';
import { Construct, type IConstruct } from 'constructs';
import { vpcsFromIds } from '../../lib/config';
import type { IdleCanaryStack } from '../../lib/idle-canary-stack';

export const VPC = {
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  subnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0b2c3d4e5f6071829'],
  cidr: '10.0.0.0/16',
  backendPorts: [80, '30000-32767'],
};

export const STACK = { account: '123456789012', region: 'eu-west-1', vpcs: [VPC], alarmEmails: ['oncall@example.com'] };

/** `VPC` as the construct takes it, imported under a scope of its own in `scope` (so a second monitor's imports never clash). */
export function importedVpcs(scope: IConstruct, id = 'ImportedVpcs') {
  return vpcsFromIds(new Construct(scope, id), [VPC]);
}

/** Synthesizes the app, with the Lambda bundles that `npm run build` wrote (jest's global setup). */
export function synth(stack: Record<string, unknown> = STACK) {
  const app = buildApp(new App({ context: { 'idle-canary': { stacks: [stack] } } }));
  const assembly = app.synth();
  const cdkStack = app.node.children[0] as IdleCanaryStack;
  return { app, assembly, stack: cdkStack, template: Template.fromStack(cdkStack) };
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
