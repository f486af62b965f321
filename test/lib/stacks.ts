/**
 * The configurations template tests start from: one VPC, one stack entry as `cdk.json` holds it.
 *
 * Why apart from `synth.ts`: importing that builds the package (the construct deploys its
 * bundles); unit tests of the configuration need these values and no build.
 */
export const VPC = {
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  subnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0b2c3d4e5f6071829'],
  cidr: '10.0.0.0/16',
  backendPorts: [80, '30000-32767'],
};

export const STACK = { account: '123456789012', region: 'eu-west-1', vpcs: [VPC], alarmEmails: ['oncall@example.com'] };
