// The demo app without any gate: the baseline of `npm run bench` (run with CDK_VALIDATION=false,
// which also turns off aws-cdk-lib's built-in CloudFormation Validate).
import { App } from 'aws-cdk-lib';
import { addDemoStacks } from '../../examples/demo-stacks';

const app = new App();
addDemoStacks(app);
app.synth();
