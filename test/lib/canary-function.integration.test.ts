import { Match } from 'aws-cdk-lib/assertions';
import { STACK, VPC, synth } from './synth';

const SECOND_VPC = { ...VPC, vpcId: 'vpc-0f1e2d3c4b5a69788', subnetIds: ['subnet-0f1e2d3c4b5a69788'], backendPorts: [8080], cidr: undefined, backendSecurityGroupIds: ['sg-0a1b2c3d4e5f60718'], addIngress: true };
const { template } = synth({ ...STACK, vpcs: [VPC, SECOND_VPC], maxConcurrency: 4 });

describe('the functions', () => {
  it('runs on a current Node.js runtime, bundled as CommonJS for arm64', () => {
    // Assess
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Architectures: ['arm64'] }, 5);
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 900, VpcConfig: Match.anyValue() });
  });

  it('keeps every log for a month', () => {
    // Assess
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });
});
