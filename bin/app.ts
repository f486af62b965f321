/**
 * The CDK app (`cdk.json` "app"): `npx cdk synth`, `npx cdk deploy`.
 */
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/app';

buildApp(new App()).synth();
