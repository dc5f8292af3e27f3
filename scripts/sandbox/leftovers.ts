/**
 * What a demo leaves behind after `cdk destroy` (or a sandbox test run) that still bills or blocks
 * the next deployment, each with the command that removes it.
 *
 * A destroy deletes what the stack's template holds. It cannot delete what services create at run
 * time (Lambda, Glue, RDS and DMS log groups; the log streams SageMaker writes into its shared log
 * groups; network interfaces Lambda releases late), what a failed or partial delete kept, nor the
 * account-wide settings some demos change (Lake Formation administrators, registered locations and
 * LF-tags; the DMS roles). They are found by the demo's names (CloudFormation names resources after
 * the stack), by its tag (`ml-data-engineering:demo`, on every resource of a demo stack) and by the
 * settings each demo is known to touch.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, DescribeLogGroupsCommand, DescribeLogStreamsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeNetworkInterfacesCommand, EC2Client, NetworkInterface } from '@aws-sdk/client-ec2';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetDataLakeSettingsCommand, LakeFormationClient, ListLFTagsCommand, ListResourcesCommand } from '@aws-sdk/client-lakeformation';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient, ResourceTagMapping } from '@aws-sdk/client-resource-groups-tagging-api';
import { DEMO_TAG } from '../../examples/demo-stacks';

/** One thing left behind. */
export interface Leftover {
  /** What it is (`log group`, `KMS key`). */
  readonly kind: string;
  /** Its name, id or ARN. */
  readonly resource: string;
  /** Why it matters: what it bills or blocks. */
  readonly why: string;
  /** The command that removes it (or what to do). */
  readonly remove: string;
}

/** The SDK clients the search uses (real ones, or fakes in tests). */
export interface LeftoverClients {
  readonly cloudFormation: CloudFormationClient;
  readonly logs: CloudWatchLogsClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  readonly kms: KMSClient;
  readonly ec2: EC2Client;
  readonly lakeFormation: LakeFormationClient;
  readonly iam: IAMClient;
}

/** Clients for one Region, with the SDK's default credentials. */
export function sdkClients(region: string): LeftoverClients {
  return {
    cloudFormation: new CloudFormationClient({ region }),
    logs: new CloudWatchLogsClient({ region }),
    tagging: new ResourceGroupsTaggingAPIClient({ region }),
    kms: new KMSClient({ region }),
    ec2: new EC2Client({ region }),
    lakeFormation: new LakeFormationClient({ region }),
    iam: new IAMClient({ region }),
  };
}

/** The stacks of a demo: the demo itself and its sandbox test's two stacks. */
export function stackNamesOf(demo: string): string[] {
  return [demo, `${demo}Integ`, `${demo}IntegAssertions`];
}

/** Log groups that services share among jobs, and the prefix of the demo's job names in them. */
const SHARED_LOG_STREAMS: Record<string, Array<{ logGroup: string; streamPrefix: string; writer: string }>> = {
  TrainingStorageDemo: [{ logGroup: '/aws/sagemaker/TrainingJobs', streamPrefix: 'xgb-', writer: 'SageMaker training jobs' }],
  TrainingStorageLustreDemo: [{ logGroup: '/aws/sagemaker/TrainingJobs', streamPrefix: 'xgb-', writer: 'SageMaker training jobs' }],
  SparkAtScaleDemo: [{ logGroup: '/aws/sagemaker/ProcessingJobs', streamPrefix: 'spark-', writer: 'SageMaker Processing jobs' }],
};

/** The demos that change Lake Formation, and the LF-tags they create. */
const LAKE_FORMATION_DEMOS: Record<string, string[]> = {
  DataLakeDemo: ['classification'],
  GlueEtlDemo: [],
};

/** The demos that use the account-wide DMS roles, and their managed policies. */
const DMS_ROLE_DEMOS = new Set(['DatabaseIngestionDemo', 'DmsAccountRolesDemo']);
const DMS_ROLES: Record<string, string> = {
  'dms-vpc-role': 'AmazonDMSVPCManagementRole',
  'dms-cloudwatch-logs-role': 'AmazonDMSCloudWatchLogsRole',
};

/** The error name the SDK gives a missing resource, or undefined for other errors. */
function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** Lists everything `demo` left behind in the clients' account and Region. */
export async function findLeftovers(demo: string, clients: LeftoverClients): Promise<Leftover[]> {
  const stacks = stackNamesOf(demo);
  const existing = await existingStacks(stacks, clients);
  const found: Leftover[] = [...existing.values()];
  const tagged = await taggedResources(demo, clients);
  found.push(...await logGroups(demo, clients));
  found.push(...await sharedLogStreams(demo, clients));
  found.push(...await leftoverTaggedResources(tagged, new Set(existing.keys()), found, clients));
  found.push(...await networkInterfaces(stacks, tagged, clients));
  if (demo in LAKE_FORMATION_DEMOS) {
    found.push(...await lakeFormation(demo, stacks, clients));
  }
  if (DMS_ROLE_DEMOS.has(demo)) {
    found.push(...await dmsRoles(clients));
  }
  return found;
}

async function existingStacks(stacks: string[], clients: LeftoverClients): Promise<Map<string, Leftover>> {
  const existing = new Map<string, Leftover>();
  for (const name of stacks) {
    try {
      const { Stacks = [] } = await clients.cloudFormation.send(new DescribeStacksCommand({ StackName: name }));
      const status = Stacks[0]?.StackStatus;
      if (status && status !== 'DELETE_COMPLETE') {
        existing.set(name, {
          kind: 'CloudFormation stack',
          resource: name,
          why: status === 'DELETE_FAILED'
            ? 'DELETE_FAILED: a resource blocked the delete (often a network interface still in use, see below); it keeps billing what it holds'
            : `${status}: still deployed, billing what it holds`,
          remove: `aws cloudformation delete-stack --stack-name ${name}  (or npx cdk destroy ${name})`,
        });
      }
    } catch (error) {
      // DescribeStacks answers ValidationError "Stack with id X does not exist" for a deleted stack.
      if (errorName(error) !== 'ValidationError') {
        throw error;
      }
    }
  }
  return existing;
}

/**
 * Log groups whose name holds the demo's name: `/aws/lambda/<Stack>-<function>` (Lambda creates
 * them at the first invocation), Glue's per-role groups, RDS's `/aws/rds/cluster/<demo…>` (lower
 * case, as RDS identifiers are). The name search is case-sensitive, hence both spellings.
 */
async function logGroups(demo: string, clients: LeftoverClients): Promise<Leftover[]> {
  const names = new Set<string>();
  for (const pattern of new Set([demo, demo.toLowerCase()])) {
    let nextToken: string | undefined;
    do {
      const page = await clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: pattern, nextToken }));
      (page.logGroups ?? []).forEach(group => group.logGroupName && names.add(group.logGroupName));
      nextToken = page.nextToken;
    } while (nextToken);
  }
  return [...names].sort().map(logGroupLeftover);
}

function logGroupLeftover(name: string): Leftover {
  return {
    kind: 'log group',
    resource: name,
    why: 'created at run time by a service (or kept): its stored logs bill per GB-month until it is deleted',
    remove: `aws logs delete-log-group --log-group-name '${name}'`,
  };
}

async function sharedLogStreams(demo: string, clients: LeftoverClients): Promise<Leftover[]> {
  const found: Leftover[] = [];
  for (const { logGroup, streamPrefix, writer } of SHARED_LOG_STREAMS[demo] ?? []) {
    try {
      const { logStreams = [] } = await clients.logs.send(new DescribeLogStreamsCommand({ logGroupName: logGroup, logStreamNamePrefix: streamPrefix }));
      for (const stream of logStreams) {
        found.push({
          kind: 'log stream',
          resource: `${logGroup} ${stream.logStreamName}`,
          why: `written by the demo's ${writer} into a log group SageMaker shares among all jobs: bills per GB-month`,
          remove: `aws logs delete-log-stream --log-group-name '${logGroup}' --log-stream-name '${stream.logStreamName}'`,
        });
      }
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') {
        throw error;
      }
    }
  }
  return found;
}

async function taggedResources(demo: string, clients: LeftoverClients): Promise<ResourceTagMapping[]> {
  const resources: ResourceTagMapping[] = [];
  let token: string | undefined;
  do {
    const page = await clients.tagging.send(new GetResourcesCommand({ TagFilters: [{ Key: DEMO_TAG, Values: [demo] }], PaginationToken: token }));
    resources.push(...page.ResourceTagMappingList ?? []);
    token = page.PaginationToken || undefined;
  } while (token);
  return resources;
}

/**
 * Resources that carry the demo's tag but whose stack is gone: retained buckets, keys, log groups.
 * (Those of a stack that still exists are part of it, reported with the stack.)
 */
async function leftoverTaggedResources(tagged: ResourceTagMapping[], liveStacks: Set<string>, already: Leftover[], clients: LeftoverClients): Promise<Leftover[]> {
  const found: Leftover[] = [];
  const reported = new Set(already.map(leftover => leftover.resource));
  for (const mapping of tagged) {
    const arn = mapping.ResourceARN ?? '';
    const stack = mapping.Tags?.find(tag => tag.Key === 'aws:cloudformation:stack-name')?.Value;
    if (stack && liveStacks.has(stack)) {
      continue;
    }
    const [, , service, , , ...rest] = arn.split(':');
    const resource = rest.join(':');
    if (service === 's3') {
      found.push({
        kind: 'S3 bucket',
        resource: resource,
        why: 'kept after the stack (retained, or not emptied): its objects and their versions bill per GB-month',
        remove: `python3 -c "import boto3; b = boto3.resource('s3').Bucket('${resource}'); b.object_versions.delete(); b.delete()"`,
      });
    } else if (service === 'kms') {
      found.push(await keyLeftover(arn, clients));
    } else if (service === 'logs') {
      const name = resource.replace(/^log-group:/, '').replace(/:\*$/, '');
      if (!reported.has(name)) {
        found.push(logGroupLeftover(name));
      }
    } else if (!(service === 'ec2' && resource.startsWith('network-interface/'))) {
      found.push({
        kind: `${service} ${resource.split(/[/:]/)[0]}`,
        resource: arn,
        why: 'outlived its stack (retained, or its delete failed)',
        remove: `delete it in the ${service} console or CLI (its ARN is ${arn})`,
      });
    }
  }
  return found;
}

async function keyLeftover(arn: string, clients: LeftoverClients): Promise<Leftover> {
  const { KeyMetadata } = await clients.kms.send(new DescribeKeyCommand({ KeyId: arn }));
  if (KeyMetadata?.KeyState === 'PendingDeletion') {
    return {
      kind: 'KMS key',
      resource: arn,
      why: `pending deletion until ${KeyMetadata.DeletionDate?.toISOString() ?? 'the end of its waiting period'}: unusable, and KMS deletes it then (7 days at least, by design)`,
      remove: 'nothing to do (aws kms cancel-key-deletion would keep it)',
    };
  }
  return {
    kind: 'KMS key',
    resource: arn,
    why: `${KeyMetadata?.KeyState ?? 'exists'} after its stack: a customer-managed key bills 1 USD a month`,
    remove: `aws kms schedule-key-deletion --key-id ${arn} --pending-window-in-days 7`,
  };
}

/**
 * Network interfaces that block deleting subnets and security groups: those Lambda made for the
 * demo's VPC functions (described `AWS Lambda VPC ENI-<function name>…`) and any other in a VPC of
 * the demo that still exists (Redshift, FSx, EMR, DMS, endpoints).
 */
async function networkInterfaces(stacks: string[], tagged: ResourceTagMapping[], clients: LeftoverClients): Promise<Leftover[]> {
  const interfaces = new Map<string, NetworkInterface>();
  const vpcs = tagged.map(mapping => mapping.ResourceARN ?? '').filter(arn => arn.includes(':vpc/')).map(arn => arn.split(':vpc/')[1]);
  const queries = [[{ Name: 'description', Values: stacks.map(stack => `AWS Lambda VPC ENI-${stack}-*`) }]];
  if (vpcs.length > 0) {
    queries.push([{ Name: 'vpc-id', Values: vpcs }]);
  }
  for (const Filters of queries) {
    let NextToken: string | undefined;
    do {
      const page = await clients.ec2.send(new DescribeNetworkInterfacesCommand({ Filters, NextToken }));
      (page.NetworkInterfaces ?? []).forEach(eni => eni.NetworkInterfaceId && interfaces.set(eni.NetworkInterfaceId, eni));
      NextToken = page.NextToken;
    } while (NextToken);
  }
  return [...interfaces.values()].map(eni => ({
    kind: 'network interface',
    resource: `${eni.NetworkInterfaceId} (${eni.Description ?? eni.InterfaceType ?? 'no description'})`,
    why: `${eni.Status}: it keeps its subnet and security group from being deleted (a DELETE_FAILED destroy)`,
    remove: eni.Status === 'available'
      ? `aws ec2 delete-network-interface --network-interface-id ${eni.NetworkInterfaceId}`
      : 'in use by the service that made it: Lambda releases a deleted function\'s interfaces within about 20 minutes; then destroy again',
  }));
}

/**
 * Lake Formation settings the demo changed: administrators that are the demo's roles (gone with the
 * stack: a dangling administrator), locations still registered for its buckets, LF-tags it creates
 * (a redeploy fails while they exist).
 */
async function lakeFormation(demo: string, stacks: string[], clients: LeftoverClients): Promise<Leftover[]> {
  const found: Leftover[] = [];
  const ownRole = (arn: string) => stacks.some(stack => arn.includes(`:role/${stack}-`));
  const { DataLakeSettings } = await clients.lakeFormation.send(new GetDataLakeSettingsCommand({}));
  for (const admin of DataLakeSettings?.DataLakeAdmins ?? []) {
    const arn = admin.DataLakePrincipalIdentifier ?? '';
    if (ownRole(arn) || (arn.includes(':role/') && !await roleExists(arn.split(':role/')[1].split('/').pop()!, clients))) {
      found.push({
        kind: 'Lake Formation administrator',
        resource: arn,
        why: 'an administrator whose role is the demo\'s or no longer exists: Lake Formation keeps listing it, and settings updates that include it fail',
        remove: 'remove it under Lake Formation > Administrative roles and tasks (or aws lakeformation put-data-lake-settings with the list without it)',
      });
    }
  }
  const buckets = stacks.map(stack => `:s3:::${stack.toLowerCase()}-`);
  const { ResourceInfoList = [] } = await clients.lakeFormation.send(new ListResourcesCommand({}));
  for (const location of ResourceInfoList) {
    const arn = location.ResourceArn ?? '';
    if (buckets.some(bucket => arn.includes(bucket))) {
      found.push({
        kind: 'Lake Formation location',
        resource: arn,
        why: 'still registered after its bucket was deleted',
        remove: `aws lakeformation deregister-resource --resource-arn ${arn}`,
      });
    }
  }
  const tagKeys = LAKE_FORMATION_DEMOS[demo];
  if (tagKeys.length > 0) {
    const { LFTags = [] } = await clients.lakeFormation.send(new ListLFTagsCommand({}));
    for (const tag of LFTags.filter(lfTag => tagKeys.includes(lfTag.TagKey ?? ''))) {
      found.push({
        kind: 'LF-tag',
        resource: `${tag.TagKey} = ${(tag.TagValues ?? []).join(', ')}`,
        why: `the demo creates this account-wide LF-tag: its next deployment fails while it exists (unless another stack owns it)`,
        remove: `aws lakeformation delete-lf-tag --tag-key ${tag.TagKey}`,
      });
    }
  }
  return found;
}

async function roleExists(name: string, clients: LeftoverClients): Promise<boolean> {
  try {
    await clients.iam.send(new GetRoleCommand({ RoleName: name }));
    return true;
  } catch (error) {
    if (errorName(error) === 'NoSuchEntityException') {
      return false;
    }
    throw error;
  }
}

/** The account-wide DMS roles (one each per account, whatever created them). */
async function dmsRoles(clients: LeftoverClients): Promise<Leftover[]> {
  const found: Leftover[] = [];
  for (const [name, policy] of Object.entries(DMS_ROLES)) {
    try {
      const { Role } = await clients.iam.send(new GetRoleCommand({ RoleName: name }));
      const partition = Role?.Arn?.split(':')[1] ?? 'aws';
      found.push({
        kind: 'IAM role (account-wide)',
        resource: Role?.Arn ?? name,
        why: 'DMS needs it for every replication instance of the account; a stack that creates it fails while it exists. Keep it if other DMS resources use it',
        remove: `aws iam detach-role-policy --role-name ${name} --policy-arn arn:${partition}:iam::aws:policy/service-role/${policy} && aws iam delete-role --role-name ${name}`,
      });
    } catch (error) {
      if (errorName(error) !== 'NoSuchEntityException') {
        throw error;
      }
    }
  }
  return found;
}

/** The report: one block per leftover, or a line saying nothing was found. */
export function formatLeftovers(demo: string, region: string, leftovers: Leftover[]): string {
  if (leftovers.length === 0) {
    return `Nothing left behind by ${demo} (stacks ${stackNamesOf(demo).join(', ')}) in ${region}.\n`;
  }
  const blocks = leftovers.map(leftover => `- ${leftover.kind}: ${leftover.resource}\n    why: ${leftover.why}\n    remove: ${leftover.remove}`);
  return `${leftovers.length} thing(s) left behind by ${demo} (stacks ${stackNamesOf(demo).join(', ')}) in ${region}:\n${blocks.join('\n')}\n`;
}
