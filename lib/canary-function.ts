/**
 * The Lambda functions of idle-canary: one shape for all of them, and the metrics permission
 * two of them share.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ENV } from '../lambda/handlers/config';
import type { MetricSet } from '../lambda/metrics/names';
import type { HandlerName } from './handlers';
import { handlerCode } from './lambda-code';
import { acknowledge, managedPolicyFinding } from './nag';

/** What each function sets beyond the code, runtime and logs all of them share. */
export type FunctionExtras = Omit<lambda.FunctionProps, 'code' | 'handler' | 'runtime'>;

/** Makes one of the monitor's functions in a scope: `(id, handler, extras)`. */
export type FunctionFactory = (id: string, entry: HandlerName, extra: FunctionExtras) => lambda.Function;

/**
 * A factory of functions in `scope`, each with its log group `<id>Logs` kept `retention`.
 *
 * Why the prebuilt bundle: the code is what `npm run build` wrote (esbuild, target node22), so
 * synth bundles nothing.
 */
export function functionFactory(scope: Construct, retention: logs.RetentionDays): FunctionFactory {
  return (id, entry, extra) => {
    const fn = new lambda.Function(scope, id, {
      code: handlerCode(entry),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      logGroup: new logs.LogGroup(scope, `${id}Logs`, { retention, removalPolicy: RemovalPolicy.DESTROY }),
      ...extra,
      environment: { POWERTOOLS_SERVICE_NAME: 'idle-canary', NODE_OPTIONS: '--enable-source-maps', ...extra.environment },
    });
    acknowledge(fn, [managedPolicyFinding('AWSLambdaBasicExecutionRole')], 'Writing its own logs, nothing else.');
    return fn;
  };
}

/** Where a function puts its metrics, and which set. */
export interface MetricsTarget {
  /** CloudWatch namespace of the metrics. */
  readonly namespace: string;
  /** The metric set the function puts: `lean` or `detailed`. */
  readonly metrics: MetricSet;
}

/**
 * Lets a function put metrics in the namespace, and nowhere else, and tells it the namespace
 * and the metric set.
 *
 * Why a condition: PutMetricData has no resource-level permission, so `*` is limited by the
 * `cloudwatch:namespace` condition, and cdk-nag's finding is acknowledged with that reason.
 *
 * @example
 * putMetricsIn(publish, { namespace: 'IdleCanary', metrics: 'lean' });
 */
export function putMetricsIn(fn: lambda.Function, { namespace, metrics }: MetricsTarget): void {
  fn.addEnvironment(ENV.namespace, namespace);
  fn.addEnvironment(ENV.metrics, metrics);
  fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'PutMetrics', actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: { StringEquals: { 'cloudwatch:namespace': namespace } } }));
  acknowledge(fn, ['AwsSolutions-IAM5[Resource::*]'], 'PutMetricData has no resource-level permissions; it is limited to the namespace by the cloudwatch:namespace condition.');
}
