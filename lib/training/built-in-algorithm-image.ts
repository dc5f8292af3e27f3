import { Aws, CfnMapping, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { check } from '../core/validation';

/**
 * The accounts that publish SageMaker's XGBoost algorithm images (`sagemaker-xgboost`), by
 * region, as the SageMaker Python SDK lists them for versions 1.0-1 to 1.7-1.
 *
 * @see https://docs.aws.amazon.com/sagemaker/latest/dg-ecr-paths/sagemaker-algo-docker-registry-paths.html
 * @see https://github.com/aws/sagemaker-python-sdk/blob/master/src/sagemaker/image_uri_config/xgboost.json
 */
export const XGBOOST_REGISTRY_ACCOUNTS: Record<string, string> = {
  'af-south-1': '510948584623',
  'ap-east-1': '651117190479',
  'ap-northeast-1': '354813040037',
  'ap-northeast-2': '366743142698',
  'ap-northeast-3': '867004704886',
  'ap-south-1': '720646828776',
  'ap-south-2': '628508329040',
  'ap-southeast-1': '121021644041',
  'ap-southeast-2': '783357654285',
  'ap-southeast-3': '951798379941',
  'ap-southeast-4': '106583098589',
  'ca-central-1': '341280168497',
  'ca-west-1': '190319476487',
  'cn-north-1': '450853457545',
  'cn-northwest-1': '451049120500',
  'eu-central-1': '492215442770',
  'eu-central-2': '680994064768',
  'eu-north-1': '662702820516',
  'eu-south-1': '978288397137',
  'eu-south-2': '104374241257',
  'eu-west-1': '141502667606',
  'eu-west-2': '764974769150',
  'eu-west-3': '659782779980',
  'il-central-1': '898809789911',
  'me-central-1': '272398656194',
  'me-south-1': '801668240914',
  'sa-east-1': '737474898029',
  'us-east-1': '683313688378',
  'us-east-2': '257758044811',
  'us-gov-east-1': '237065988967',
  'us-gov-west-1': '414596584902',
  'us-west-1': '746614075791',
  'us-west-2': '246618743249',
};

/** The XGBoost versions whose images these accounts publish. */
export const XGBOOST_VERSIONS = ['1.0-1', '1.2-1', '1.2-2', '1.3-1', '1.5-1', '1.7-1'];

/**
 * The image URI of SageMaker's built-in XGBoost algorithm for the stack's region, pinned to
 * `version` (never `:latest` or `:1`, which SageMaker's docs warn against for XGBoost).
 *
 * The stack may be environment-agnostic (its region a token until deployment), so the account
 * is resolved by CloudFormation from a `CfnMapping` keyed on `AWS::Region`: one mapping per
 * stack, shared by every call. Deploying to a region missing from the map fails at once.
 * SageMaker pulls built-in images with its own credentials: the job's role needs no ECR
 * permission and the VPC no ECR endpoint.
 *
 * @see https://docs.aws.amazon.com/sagemaker/latest/dg/xgboost.html
 */
export function xgboostImageUri(scope: IConstruct, version = '1.7-1'): string {
  check(XGBOOST_VERSIONS.includes(version), scope, 'version', version, `must be one of ${XGBOOST_VERSIONS.join(', ')}`);
  const stack = Stack.of(scope);
  const id = 'SageMakerXGBoostRegistries';
  const mapping = (stack.node.tryFindChild(id) as CfnMapping | undefined) ?? new CfnMapping(stack, id, {
    mapping: Object.fromEntries(Object.entries(XGBOOST_REGISTRY_ACCOUNTS).map(([region, account]) => [region, { account }])),
  });
  return `${mapping.findInMap(Aws.REGION, 'account')}.dkr.ecr.${Aws.REGION}.${Aws.URL_SUFFIX}/sagemaker-xgboost:${version}`;
}
