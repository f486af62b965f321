/**
 * CloudFormation's and Step Functions' own validators on every template the project
 * synthesizes: from the example `cdk.json`, and from a configuration that uses every key.
 */
import { App, CfnResource, CloudFormationValidatePlugin, Stack, Validations } from 'aws-cdk-lib';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../lib/app';
import { STACK_KEYS } from '../../lib/config';
import { STACK, VPC } from './synth';
import { CFN_LINT, ensurePythonCommand, forgetPythonCommand } from '../support/python';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as (definition: unknown, options?: { checkPaths: boolean; checkArn: boolean }) => { isValid: boolean; errorsText: (separator?: string) => string };

const EXAMPLE = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context['idle-canary'];

/**
 * Every key of a stack (the long-horizon probe, so a 90-minute schedule), two VPCs (one naming
 * backend security groups), an existing topic, and a second account on a cron schedule.
 */
const EVERY_KEY = {
  stacks: [
    {
      ...STACK,
      alarmEmails: undefined,
      vpcs: [VPC, { vpcId: 'vpc-0f1e2d3c4b5a69788', subnetIds: ['subnet-0f1e2d3c4b5a69788'], backendPorts: [8080, '30000-32767'], backendSecurityGroupIds: ['sg-0a1b2c3d4e5f60718'], addIngress: true }],
      schedule: 'rate(90 minutes)',
      periodMinutes: 90,
      topicArn: 'arn:aws:sns:eu-west-1:123456789012:oncall',
      marginS: 2,
      precisionS: 0.25,
      namespace: 'Platform/IdleCanary',
      maxBackendsPerPort: 3,
      digestSchedule: 'cron(0 8 ? * MON-FRI *)',
      runAfterEcsDeployments: false,
      runAfterCodeDeployDeployments: true,
      cloudFront: true,
      probePublicOrigins: true,
      reportRetentionDays: 30,
      logRetentionDays: 14,
      maxConcurrency: 20,
      inlineMaxBackends: 40,
      toleratedFailurePercentage: 10,
      accessLogBuckets: [{ bucketName: 'corp-elb-logs', prefix: 'prod' }, { bucketName: 'legacy-elb-logs' }],
      hangupsAlarmThreshold: 3,
      longTimeouts: { natGateway: true },
      loadBalancerNames: ['k8s-prod-*', 'web'],
      tags: ['team=payments'],
      alarmNamePrefix: 'prod-eu idle-canary',
      okNotifications: true,
      metrics: 'detailed',
    },
    { ...STACK, account: '210987654321', region: 'us-east-1', vpcs: [{ ...VPC, cidr: undefined }], alarmEmails: ['sre@example.com', 'oncall@example.com'], schedule: 'cron(0/20 * * * ? *)', periodMinutes: 20 },
  ],
};

/** CDK's built-in validation, one engine for the file: it takes seconds to start. */
const CDK_VALIDATE = new CloudFormationValidatePlugin();

// Its engine's memory is WebAssembly's, outside the heap: held to the end, it kept the jest
// worker from exiting in time ("A worker process has failed to exit gracefully"). `_dispose`
// is how aws-cdk-lib frees it (marked internal: called only where it exists).
afterAll(() => (CDK_VALIDATE as unknown as { _dispose?: () => void })._dispose?.());

/** The findings CDK's built-in validation reported in the assembly at `outdir`. */
function cdkValidateFindings(outdir: string): unknown[] {
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: Array<{ pluginName: string; violations: unknown[] }> };
  return report.pluginReports.filter((plugin) => plugin.pluginName === CloudFormationValidatePlugin.PLUGIN_NAME).flatMap((plugin) => plugin.violations);
}

/**
 * Synthesizes the app (bundling skipped: code is not what these validators read) with CDK's
 * built-in CloudFormation validation, registered here because the tests turn its default
 * instance off elsewhere (test/support/jest-env.ts), and returns its template files.
 */
function synthesize(config: unknown, outdir: string): string[] {
  const app = buildApp(new App({ outdir, context: { 'idle-canary': config, 'aws:cdk:bundling-stacks': [] } }));
  Validations.of(app).addPlugins(CDK_VALIDATE);
  app.synth();
  return readdirSync(outdir).filter((name) => name.endsWith('.template.json')).map((name) => join(outdir, name));
}

/**
 * cfn-lint, installed with pip when missing (a Python package; it is on these machines).
 * Why not skip: a template CloudFormation rejects is a deployment that fails.
 */
const cfnLint = (): string => ensurePythonCommand(CFN_LINT.command, CFN_LINT.pkg);

/** What cfn-lint found in one template. */
interface LintFinding {
  readonly Level: string;
  readonly Rule: { Id: string };
  readonly Message: string;
  readonly Filename: string;
}

/** Every template the file lints: each `describe` adds its own when jest collects it. */
const toLint: string[] = [];

let lintRun: { status: number | null; stderr: string; findings: LintFinding[] } | undefined;

/**
 * cfn-lint's run over every template of `toLint`, made once, when a test first asks.
 *
 * Why once: cfn-lint takes about 3 CPU-seconds to start and 0.6 per template; three runs of it
 * were half of this file's CPU. A test reads the findings of its own templates (`Filename`).
 * Exit 1 is cfn-lint failing to run; 2, 4 and 8 flag errors, warnings and notes.
 */
function cfnLintAll(): NonNullable<typeof lintRun> {
  if (lintRun === undefined) {
    const lint = spawnSync(cfnLint(), ['--format', 'json', '--', ...toLint], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    lintRun = { status: lint.status, stderr: lint.stderr, findings: lint.status === 1 ? [] : (JSON.parse(lint.stdout) as LintFinding[]) };
    // Failing to run, it is checked again (and reinstalled) by the next run, not taken as installed
    if (lint.status === 1) forgetPythonCommand(CFN_LINT.command);
  }
  return lintRun;
}

/** A state machine's definition with CloudFormation references replaced by plausible values. */
function definitionOf(template: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> }, machineId: string): unknown {
  const joined = template.Resources[machineId].Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] };
  const text = joined['Fn::Join'][1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const ref = (part as { Ref?: string }).Ref;
      if (ref === 'AWS::Partition') return 'aws';
      if (ref === 'AWS::Region') return 'eu-west-1';
      if (ref === 'AWS::AccountId') return '123456789012';
      if (ref !== undefined) return ref.toLowerCase();
      const [id] = (part as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
      return `arn:aws:lambda:eu-west-1:123456789012:function:${id}`;
    })
    .join('');
  return JSON.parse(text);
}

describe.each([
  ['the example cdk.json', EXAMPLE],
  ['a configuration using every key', EVERY_KEY],
])('the templates synthesized from %s', (_name, config) => {
  const outdir = mkdtempSync(join(tmpdir(), 'idle-canary-validate-'));
  const templates = synthesize(config, outdir);
  toLint.push(...templates);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('pass cfn-lint with no error-level finding', () => {
    // Act
    const lint = cfnLintAll();

    // Assess
    expect(lint.status).not.toBe(1);
    const findings = lint.findings.filter((f) => templates.includes(f.Filename));
    console.log(`cfn-lint on ${templates.length} template(s): ${findings.length} finding(s)${findings.map((f) => `\n  ${f.Level} ${f.Rule.Id} ${f.Message}`).join('')}`);
    expect(lint.stderr).toBe('');
    expect(findings.filter((f) => f.Level === 'Error')).toEqual([]);
  });

  it('pass CDK\'s built-in CloudFormation validation with no finding, as a user\'s `cdk synth` runs it', () => {
    // Act
    const findings = cdkValidateFindings(outdir);

    // Assess
    expect(findings).toEqual([]);
  });

  it('hold state machines that asl-validator accepts', () => {
    // Prepare
    const machines = templates.flatMap((file) => {
      const template = JSON.parse(readFileSync(file, 'utf8'));
      return Object.entries(template.Resources as Record<string, { Type: string }>)
        .filter(([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine')
        .map(([id]) => ({ id, definition: definitionOf(template, id) }));
    });

    // Act
    const results = machines.map(({ id, definition }) => ({ id, result: aslValidator(definition, { checkPaths: true, checkArn: true }) }));

    // Assess
    expect(machines).toHaveLength(templates.length);
    for (const { id, result } of results) expect({ id, errors: result.isValid ? '' : result.errorsText('\n') }).toEqual({ id, errors: '' });
  });
});

describe('the validators themselves', () => {
  // A function CloudFormation rejects (an unknown runtime, a timeout above 900 s), linted with the other templates
  const dir = mkdtempSync(join(tmpdir(), 'idle-canary-validate-'));
  const file = join(dir, 'bad.template.json');
  const badFunction = { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs1.x', Handler: 'index.handler', Role: 'arn:aws:iam::123456789012:role/r', Code: { ZipFile: 'x' }, Timeout: 901 } };
  writeFileSync(file, JSON.stringify({ Resources: { Fn: badFunction } }));
  toLint.push(file);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fail a template CloudFormation would reject (cfn-lint and CDK\'s built-in validation), and a state machine Step Functions would reject', () => {
    // Prepare
    const app = new App({ outdir: join(dir, 'cdk.out') });
    new CfnResource(new Stack(app, 'Bad'), 'Fn', { type: badFunction.Type, properties: badFunction.Properties });
    Validations.of(app).addPlugins(CDK_VALIDATE);

    // Act
    const lint = cfnLintAll();
    app.synth();
    const cdkFindings = cdkValidateFindings(join(dir, 'cdk.out'));
    const asl = aslValidator({ StartAt: 'Missing', States: { Only: { Type: 'Pass', Next: 'Nowhere' } } }, { checkPaths: true, checkArn: true });

    // Assess
    expect(cdkFindings).toEqual(expect.arrayContaining([expect.objectContaining({ ruleName: 'E3717' })]));
    expect(lint.findings.filter((f) => f.Filename === file && f.Level === 'Error').length).toBeGreaterThan(0);
    expect(asl.isValid).toBe(false);
  });
});

it('the every-key configuration uses every key a stack accepts', () => {
  // Assess
  expect(Object.keys(EVERY_KEY.stacks[0]).filter((k) => (EVERY_KEY.stacks[0] as Record<string, unknown>)[k] !== undefined || k === 'alarmEmails').sort()).toEqual([...STACK_KEYS].sort());
});
