#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { addDemoStacks } from '../examples/demo-stacks';
import { addQualityGates, printGateResults, readGateResults } from '../examples/quality-gates';
import { synthWithFindings } from '../examples/synth-with-findings';

const app = new App();
// Registered before the stacks are built: the slowest gate's engine starts while they are.
const gates = addQualityGates(app);
addDemoStacks(app);
const assembly = synthWithFindings(app);
printGateResults(readGateResults(assembly.directory, gates));
