/**
 * Builds the CDK app from its context: one stack per configured account and region, with
 * cdk-nag's AWS Solutions checks on every synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from './config';
import { IdleCanaryStack } from './idle-canary-stack';

/**
 * @throws Error naming the bad configuration key
 * @example
 * const app = buildApp(new App());
 * app.synth();
 */
export function buildApp(app: App): App {
  const config = parseConfig(app.node.tryGetContext('idle-canary'));
  for (const stack of config.stacks) new IdleCanaryStack(app, `IdleCanary-${stack.account}-${stack.region}`, { config: stack });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}
