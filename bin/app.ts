#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { addDemoStacks } from '../examples/demo-stacks';
import { addQualityGates, printGateResults, readGateResults } from '../examples/quality-gates';

const app = new App();
const gates = addQualityGates(app);
addDemoStacks(app);
const assembly = app.synth();
printGateResults(readGateResults(assembly.directory, gates));
