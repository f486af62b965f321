/**
 * One account and region's idle-canary, from a validated `StackConfig`.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { propsFromConfig, type StackConfig } from './config';
import { IdleCanary } from './idle-canary';

export interface IdleCanaryStackProps extends StackProps {
  readonly config: StackConfig;
}

export class IdleCanaryStack extends Stack {
  public readonly canary: IdleCanary;

  public constructor(scope: Construct, id: string, props: IdleCanaryStackProps) {
    super(scope, id, { ...props, env: { account: props.config.account, region: props.config.region } });
    this.canary = new IdleCanary(this, 'IdleCanary', propsFromConfig(this, props.config));
  }
}
