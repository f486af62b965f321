/**
 * One probe function per VPC, in its subnets, behind a security group that reaches the
 * backend ports and nothing else; and, when asked, one outside any VPC for public origins.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { functionFactory } from './canary-function';
import { portRange } from './config';
import { acknowledge, managedPolicyFinding } from './nag';
import { PROBE_TIMEOUT, probeEnvironment, type ProbeSettingsProps } from './probe-settings';
import type { VpcConfig } from './props';
import { logRetentionOf, type LoggingPartProps } from './part-props';

/** Where one VPC's probes run: its subnets and the probe security group. */
export interface ProbePlacement {
  readonly index: number;
  readonly vpcId: string;
  readonly vpc: ec2.IVpc;
  readonly subnets: readonly ec2.ISubnet[];
  readonly securityGroup: ec2.SecurityGroup;
}

/** Props of the probe functions. */
export interface ProbeFunctionsProps extends LoggingPartProps, ProbeSettingsProps {
  /** VPCs whose load balancers' backends are probed. */
  readonly vpcs: readonly VpcConfig[];
  /**
   * Also a probe function outside any VPC (`ProbeOutsideVpc`), for fronts reached over the
   * internet (CloudFront's public custom origins, a run's targets without a VPC).
   * @default false
   */
  readonly outsideVpc?: boolean;
}

/**
 * One probe function per VPC (`Probe<i>`), its security group (`ProbeSecurityGroup<i>`) and
 * the imported VPC and subnets; with `outsideVpc`, `ProbeOutsideVpc` too.
 *
 * Why no NAT gateway or VPC endpoint: the probes call no AWS API; discover and publish do,
 * from outside the VPCs.
 *
 * @example
 * const probes = new ProbeFunctions(this, 'ProbeFunctions', {
 *   vpcs: [{ vpc: ec2.Vpc.fromLookup(this, 'Vpc', { vpcId: 'vpc-0a1b2c3d' }), backendPorts: [80] }],
 *   marginS: 1,
 * });
 * probes.functions['vpc-0a1b2c3d']; // the probe function of that VPC
 */
export class ProbeFunctions extends Construct {
  public readonly placements: readonly ProbePlacement[];
  /** Probe functions by VPC id. */
  public readonly functions: Readonly<Record<string, lambda.Function>>;
  /** The probe function outside any VPC; set with `outsideVpc`. */
  public readonly outsideVpc?: lambda.Function;

  public constructor(scope: Construct, id: string, props: ProbeFunctionsProps) {
    super(scope, id);
    const functions = functionFactory(this, logRetentionOf(props));
    this.placements = props.vpcs.map((vpcConfig, index): ProbePlacement => {
      const { vpc } = vpcConfig;
      const securityGroup = probeSecurityGroup(this, `ProbeSecurityGroup${index}`, vpcConfig);
      const subnets = vpc.selectSubnets(vpcConfig.vpcSubnets).subnets;
      return { index, vpcId: vpc.vpcId, vpc, subnets, securityGroup };
    });
    const environment = probeEnvironment(props);
    this.functions = Object.fromEntries(
      this.placements.map(({ index, vpcId, vpc, subnets, securityGroup }) => {
        const probe = functions(`Probe${index}`, 'probe', {
          description: `idle-canary probe for ${vpcId}: opens idle sockets to backends; calls no AWS API`,
          timeout: PROBE_TIMEOUT,
          vpc,
          vpcSubnets: { subnets: [...subnets] },
          securityGroups: [securityGroup],
          environment,
        });
        acknowledge(probe, [managedPolicyFinding('AWSLambdaVPCAccessExecutionRole')], 'The minimum for a function in a VPC: its network interfaces. The probe has no other permission.');
        return [vpcId, probe];
      }),
    );
    if (props.outsideVpc === true) {
      // The same code and settings, without VPC configuration: Lambda's own network reaches the internet, and only that.
      this.outsideVpc = functions('ProbeOutsideVpc', 'probe', {
        description: 'idle-canary probe outside any VPC: opens idle sockets to public origins; calls no AWS API',
        timeout: PROBE_TIMEOUT,
        environment,
      });
    }
  }
}

/**
 * The probe's security group: egress to the backend ports only, never anywhere else.
 *
 * Why the backend groups are imported again, by id, here: the ingress rules `addIngress` adds
 * are named after the group they are added to; imported under this construct, they keep the
 * logical ids of 0.2.0 whatever object the user passed (a new logical id would create the same
 * rule twice, which EC2 refuses).
 */
function probeSecurityGroup(scope: Construct, id: string, config: VpcConfig): ec2.SecurityGroup {
  const { vpc } = config;
  const group = new ec2.SecurityGroup(scope, id, { vpc, allowAllOutbound: false, description: `idle-canary probe: egress to backend ports in ${vpc.vpcId}` });
  const ports = config.backendPorts.map((port, i) => {
    const [from, to] = portRange(port, `backendPorts[${i}]`);
    return from === to ? ec2.Port.tcp(from) : ec2.Port.tcpRange(from, to);
  });
  const backendIds = (config.backendSecurityGroups ?? []).map((backend) => backend.securityGroupId);
  const backends = backendIds.map((sgId, i) => ec2.SecurityGroup.fromSecurityGroupId(scope, `${id}Backend${i}`, sgId, { mutable: config.addIngress === true }));
  for (const port of ports) {
    if (backends.length > 0) {
      backends.forEach((backend, i) => {
        // A peer by id is written inside the group; a separate egress resource would leave
        // the group with no egress of its own, which EC2 turns into allow-all.
        group.addEgressRule(ec2.Peer.securityGroupId(backendIds[i]), port, 'to backends');
        if (config.addIngress === true) backend.addIngressRule(group, port, 'from idle-canary probe');
      });
    } else {
      group.addEgressRule(config.cidr ? ec2.Peer.ipv4(config.cidr) : ec2.Peer.anyIpv4(), port, 'to backends');
    }
  }
  return group;
}
