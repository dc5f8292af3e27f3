import * as path from 'path';
import { CONTROL_TOWER_RULES } from '../../examples/gates/guard-gate';
import { GuardRuleIndex, resourceTypesOfRuleFile } from '../../examples/gates/guard-rules';

describe('the choice of cfn-guard rule files per template', () => {
  const index = GuardRuleIndex.fromPaths([CONTROL_TOWER_RULES]);
  const rule = (file: string) => path.join(CONTROL_TOWER_RULES, file);
  const template = (...types: string[]) => ({ Resources: Object.fromEntries(types.map((type, i) => [`R${i}`, { Type: type }])) });

  test('reads every Control Tower rule file (none falls back to "always applies")', () => {
    expect(index.files.length).toBeGreaterThan(200);
    expect(index.unrecognised).toEqual([]);
  });

  test('a rule file applies through every type its rules select, including selections of several types', () => {
    expect(index.typesOf(rule('s3/ct-s3-pr-1.guard'))).toEqual(new Set(['AWS::S3::Bucket']));
    // Inline policies: the policy resource and the principals that embed policies.
    expect(index.typesOf(rule('identityandaccessmanagement/ct-iam-pr-1.guard')))
      .toEqual(new Set(['AWS::IAM::Policy', 'AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group']));
    // Open ports: security groups and their separate ingress rules (`Resources[ Type == ... ]`).
    expect(index.typesOf(rule('ec2/ct-ec2-pr-3.guard'))).toEqual(new Set(['AWS::EC2::SecurityGroup', 'AWS::EC2::SecurityGroupIngress']));
    // Single quotes.
    expect(index.typesOf(rule('ec2autoscaling/ct-autoscaling-pr-5.guard'))).toEqual(new Set(['AWS::AutoScaling::LaunchConfiguration']));
  });

  test('a type a rule only looks up (a referenced resource) does not make it apply', () => {
    // CloudFront's origin rules look at the buckets a distribution points to, but report on distributions.
    expect(index.filesFor(template('AWS::S3::Bucket'))).not.toContain(rule('cloudfront/ct-cloudfront-pr-5.guard'));
    expect(index.filesFor(template('AWS::CloudFront::Distribution'))).toContain(rule('cloudfront/ct-cloudfront-pr-5.guard'));
  });

  test('a template gets the files of its types only, and a template without resources none', () => {
    const files = index.filesFor(template('AWS::IAM::Role', 'AWS::SQS::Queue'));
    expect(files).toContain(rule('identityandaccessmanagement/ct-iam-pr-1.guard'));
    expect(files).toContain(rule('sqs/ct-sqs-pr-1.guard'));
    expect(files).not.toContain(rule('s3/ct-s3-pr-1.guard'));
    expect(files).toEqual([...files].sort());
    expect(index.filesFor({ Resources: {} })).toEqual([]);
  });

  test('a document shaped like a CloudFormation hook input gets every rule file', () => {
    expect(index.filesFor({ 'AWS::S3::Bucket': { resourceProperties: {} } })).toEqual(index.files);
  });

  describe('a rule file in another shape applies to every template', () => {
    const guarded = (when: string) => [
      'let BUCKET = "AWS::S3::Bucket"',
      'let buckets = Resources.*[ Type == %BUCKET ]',
      `rule a_check ${when} {`,
      '    %buckets.Properties.X exists',
      '}',
      'rule helper(x) {',
      '    %x exists',
      '}',
    ].join('\n');

    test.each([
      ['a rule without a when clause', ''],
      ['a rule guarded by another rule', 'when other_rule'],
      ['a rule guarded by something else than a type selection', 'when is_cfn_template(this) %BUCKET not empty'],
    ])('%s', (_name, when) => {
      expect(resourceTypesOfRuleFile(guarded(when))).toBeUndefined();
    });

    test('a selection that also filters on something else than the type', () => {
      expect(resourceTypesOfRuleFile(guarded('when is_cfn_template(this) %buckets not empty')
        .replace('[ Type == %BUCKET ]', '[ Type == %BUCKET or Properties.Y exists ]'))).toBeUndefined();
    });

    test('(while the usual shape, hook rules and helpers aside, is read)', () => {
      const source = `${guarded('when is_cfn_template(%INPUT_DOCUMENT)\n      %buckets not empty')}\nrule a_check when is_cfn_hook(%INPUT_DOCUMENT, %BUCKET) {\n    %x exists\n}`;
      expect(resourceTypesOfRuleFile(source)).toEqual(new Set(['AWS::S3::Bucket']));
    });
  });
});
