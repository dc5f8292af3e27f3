import { wildcardFindings } from '../../lib/core/wildcard-acknowledgements';

test('names wildcard actions and resources as cdk-nag does, ignoring Deny statements', () => {
  const findings = wildcardFindings({
    Statement: [
      { Effect: 'Allow', Action: ['s3:GetObject', 'kms:GenerateDataKey*'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket83908E77', 'Arn'] }, '/*']] } },
      { Effect: 'Allow', Action: 'lakeformation:GetDataAccess', Resource: '*' },
      { Effect: 'Allow', Action: 'glue:GetTable', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':glue:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':table/db/*']] } },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': ['Bucket83908E77', 'Arn'] } },
      { Effect: 'Allow', Action: 'ssm:GetParameter', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:*:${AWS::AccountId}:parameter/x' } },
      { Effect: 'Deny', Action: 's3:*', Resource: '*' },
    ],
  });
  expect(findings).toEqual([
    'Action::kms:GenerateDataKey*',
    'Resource::<Bucket83908E77.Arn>/*',
    'Resource::*',
    'Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/db/*',
    'Resource::arn:<AWS::Partition>:ssm:*:<AWS::AccountId>:parameter/x',
  ]);
});

test('a document without wildcards has no finding', () => {
  expect(wildcardFindings({ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/k' }] })).toEqual([]);
  expect(wildcardFindings({})).toEqual([]);
});
