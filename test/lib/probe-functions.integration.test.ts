import { Match } from 'aws-cdk-lib/assertions';
import { STACK, VPC, logicalIdOf, roleStatements, synth } from './synth';

const SECOND_VPC = { ...VPC, vpcId: 'vpc-0f1e2d3c4b5a69788', subnetIds: ['subnet-0f1e2d3c4b5a69788'], backendPorts: [8080], cidr: undefined, backendSecurityGroupIds: ['sg-0a1b2c3d4e5f60718'], addIngress: true };
const { template, stack } = synth({ ...STACK, vpcs: [VPC, SECOND_VPC], maxConcurrency: 4 });

describe('ProbeFunctions', () => {
  it('gives the probe functions no permission beyond logs and their network interfaces', () => {
    // Assess
    const probes = Object.values(stack.canary.probeFunctions);
    expect(probes.map((probe) => roleStatements(template, probe.role))).toEqual([[], []]);
    const roles = probes.map((probe) => template.toJSON().Resources[logicalIdOf(probe.role!)]);
    expect(roles).toHaveLength(2);
    for (const role of roles) {
      expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toMatch(/AWSLambdaBasicExecutionRole.*AWSLambdaVPCAccessExecutionRole/);
    }
  });

  it('puts one probe function in each VPC, limited to the backend ports', () => {
    // Assess
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { VpcConfig: Match.objectLike({ SubnetIds: VPC.subnetIds }) }, 1);
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { VpcConfig: Match.objectLike({ SubnetIds: SECOND_VPC.subnetIds }) }, 1);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: VPC.vpcId,
      SecurityGroupEgress: [
        { CidrIp: '10.0.0.0/16', FromPort: 80, ToPort: 80, IpProtocol: 'tcp', Description: 'to backends' },
        { CidrIp: '10.0.0.0/16', FromPort: 30000, ToPort: 32767, IpProtocol: 'tcp', Description: 'to backends' },
      ],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: SECOND_VPC.vpcId,
      SecurityGroupEgress: [{ DestinationSecurityGroupId: 'sg-0a1b2c3d4e5f60718', FromPort: 8080, ToPort: 8080, IpProtocol: 'tcp', Description: 'to backends' }],
    });
    // A separate egress resource would leave the group with no egress of its own: EC2's allow-all.
    template.resourceCountIs('AWS::EC2::SecurityGroupEgress', 0);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0a1b2c3d4e5f60718', FromPort: 8080, ToPort: 8080, IpProtocol: 'tcp' });
  });
});
