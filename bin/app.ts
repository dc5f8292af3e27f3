#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { addDemoStacks } from '../examples/demo-stacks';
import { addQualityGates, printGateResults, readGateResults } from '../examples/quality-gates';

const app = new App();
// Registered before the stacks are built, so that the gates' slow start-up (the CloudFormation
// Validate engine) overlaps with building them.
const gates = addQualityGates(app);
addDemoStacks(app);
const assembly = app.synth();
printGateResults(readGateResults(assembly.directory, gates));
