/**
 * An ALB with its target groups in moto's emulator, as tests of discovery and `scan` need one:
 * a VPC with two subnets (an ALB needs two zones), and each target group registered and
 * forwarded to by a listener of its own (moto lists a group's load balancers from the listeners).
 */
import { CreateSubnetCommand, CreateVpcCommand, RunInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ModifyLoadBalancerAttributesCommand,
  RegisterTargetsCommand,
  type ElasticLoadBalancingV2Client,
  type LoadBalancer,
} from '@aws-sdk/client-elastic-load-balancing-v2';

/** One target group and its one target. */
export interface MotoGroup {
  readonly name: string;
  readonly targetType: 'ip' | 'instance';
  readonly protocol: 'HTTP' | 'HTTPS';
  /** @default absent: HTTP1, as AWS answers */
  readonly protocolVersion?: 'HTTP1' | 'HTTP2' | 'GRPC';
  readonly healthCheckPath: string;
  readonly port: number;
  /** An IP address or an instance id. */
  readonly target: string;
}

/**
 * A VPC of `PREFIX.0.0/16` with subnets `PREFIX.0.0/24` and `PREFIX.1.0/24` in two zones (`a` and `b`
 * of the client's region, so a VPC in another region than the scanned one is made the same way).
 *
 * @example
 * const { vpcId, subnets } = await motoVpc(ec2, '127.0'); // a loopback VPC: its targets are real servers
 */
export async function motoVpc(ec2: EC2Client, prefix: string): Promise<{ vpcId: string; subnets: string[] }> {
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: `${prefix}.0.0/16` }))).Vpc!.VpcId!;
  const region = await ec2.config.region();
  const subnet = async (third: number, zone: string) => (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `${prefix}.${third}.0/24`, AvailabilityZone: `${region}${zone}` }))).Subnet!.SubnetId!;
  return { vpcId, subnets: [await subnet(0, 'a'), await subnet(1, 'b')] };
}

/**
 * An instance in the subnet at `privateIp`, by moto's stock AMI; returns its id.
 *
 * @example
 * const instanceId = await motoInstance(ec2, subnets[0], '127.0.0.1'); // served by a real server on loopback
 */
export async function motoInstance(ec2: EC2Client, subnetId: string, privateIp: string): Promise<string> {
  return (await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1, SubnetId: subnetId, PrivateIpAddress: privateIp }))).Instances![0].InstanceId!;
}

/**
 * An application load balancer in the VPC with these target groups, each with its target; returns it
 * as the emulator describes it (its ARN and DNS name are what CloudFront origins and scans name).
 *
 * @example
 * await motoAlb(elbv2, { name: 'api', vpcId, subnets, idleTimeoutS: 3, groups: [{ name: 'api-h2', targetType: 'ip', protocol: 'HTTP', protocolVersion: 'HTTP2', healthCheckPath: '/', port: 8080, target: '127.0.0.1' }] });
 */
export async function motoAlb(
  elbv2: ElasticLoadBalancingV2Client,
  alb: { readonly name: string; readonly vpcId: string; readonly subnets: readonly string[]; readonly idleTimeoutS?: number; readonly groups: readonly MotoGroup[] },
): Promise<LoadBalancer> {
  const created = (await elbv2.send(new CreateLoadBalancerCommand({ Name: alb.name, Subnets: [...alb.subnets], Type: 'application' }))).LoadBalancers![0];
  const arn = created.LoadBalancerArn;
  if (alb.idleTimeoutS !== undefined) await elbv2.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: String(alb.idleTimeoutS) }] }));
  for (const [i, g] of alb.groups.entries()) {
    const input = { Name: g.name, Protocol: g.protocol, Port: g.port, VpcId: alb.vpcId, TargetType: g.targetType, HealthCheckPath: g.healthCheckPath, ...(g.protocolVersion ? { ProtocolVersion: g.protocolVersion } : {}) };
    const group = (await elbv2.send(new CreateTargetGroupCommand(input))).TargetGroups![0];
    await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: group.TargetGroupArn, Targets: [{ Id: g.target, Port: g.port }] }));
    await elbv2.send(new CreateListenerCommand({ LoadBalancerArn: arn, Protocol: 'HTTP', Port: 80 + i, DefaultActions: [{ Type: 'forward', TargetGroupArn: group.TargetGroupArn }] }));
  }
  return created;
}
