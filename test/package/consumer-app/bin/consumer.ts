#!/usr/bin/env node
import * as fs from 'fs';
import * as cdk from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import * as lib from 'ml-data-engineering-constructs';
import { ConsumerStack } from '../lib/consumer-stack';

const app = new cdk.App();
const stacks = [
  // Environment-agnostic: one template for any account and Region (its AZ names are the test's choice).
  new ConsumerStack(app, 'Agnostic', { availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] }),
  // An explicit environment: its AZs are in cdk.context.json (PrivateNetwork.availabilityZonesContext), so nothing is looked up.
  new ConsumerStack(app, 'Explicit', { env: { account: '111111111111', region: 'eu-west-1' }, availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] }),
  // The aws-cn partition, which has no Kinesis Video Streams (CloudFormation Validate refuses the stream there).
  new ConsumerStack(app, 'China', {
    env: { account: '222222222222', region: 'cn-northwest-1' }, availabilityZones: ['cn-northwest-1a', 'cn-northwest-1b', 'cn-northwest-1c'], unavailable: ['VideoIngestion'],
  }),
];

// Every construct class the package exports, found from its exports (not from a list that a new
// construct could be missing from), must be built in every stack.
type ConstructClass = abstract new (...args: never[]) => Construct;
const constructClasses = Object.entries(lib as Record<string, unknown>).filter((entry): entry is [string, ConstructClass] =>
  typeof entry[1] === 'function' && entry[1].prototype instanceof Construct);
const built = Object.fromEntries(stacks.map(stack => [stack.stackName, Object.fromEntries(constructClasses.map(([name, type]) =>
  [name, stack.node.findAll().filter(node => node instanceof type).length]))]));
fs.writeFileSync('constructs-built.json', JSON.stringify(built, null, 2));
