#!/usr/bin/env node
// Two constructs under the package's deploy rehearsal, which needs the optional IAM packages.
import * as cdk from 'aws-cdk-lib/core';
import { DataLake, DeployRehearsalPlugin, StreamingIngestion } from 'ml-data-engineering-constructs';

const app = new cdk.App({ outdir: 'cdk.out.rehearsed' });
const rehearsal = new DeployRehearsalPlugin();
cdk.Validations.of(app).addPlugins(rehearsal);
const stack = new cdk.Stack(app, 'Consumer');
const lake = new DataLake(stack, 'Lake', { removalPolicy: cdk.RemovalPolicy.DESTROY });
new StreamingIngestion(stack, 'Clicks', { destination: lake.zone('raw'), shardCount: 1, removalPolicy: cdk.RemovalPolicy.DESTROY });
app.synth();
console.log(JSON.stringify(rehearsal.lastResults.map(result => ({ stack: result.stackName, counts: result.counts, findings: result.findings }))));

export function misuse(): void {
  // @ts-expect-error shardCount is a number: the declarations must carry the props' types
  new StreamingIngestion(stack, 'Bad', { destination: lake.zone('raw'), shardCount: 'one' });
}
