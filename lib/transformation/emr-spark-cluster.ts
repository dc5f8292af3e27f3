import { Duration, Names, Stack, Tags, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as emr from 'aws-cdk-lib/aws-emr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { dataRemovalPolicy } from '../core/data-retention';
import { attachGrantPolicy } from '../core/grant-policy';
import { keepOutboundClosed } from '../core/private-network';
import { check, checkInteger, checkLength } from '../core/validation';
import { MAX_EXECUTION_MINUTES, StateMachineJob } from '../core/state-machine-job';
import { SparkJobProps, declareSparkDataCalls, grantPrefixWrite, grantSparkRead, grantSparkWrite } from './spark-data';
import { assumedBy } from '../rehearsal/declarations';
import { Rehearsal } from '../rehearsal/expectations';
import { SparkScriptAsset } from './spark-script-asset';

/** The tag by which `AmazonEMRServicePolicy_v2` recognizes the resources EMR may use. */
const EMR_MANAGED_TAG = 'for-use-with-amazon-emr-managed-policies';
const RELEASE_LABEL = /^emr-(\d+)\.(\d+)\.(\d+)$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;

/** Properties of an {@link EmrSparkCluster}. */
export interface EmrSparkClusterProps extends SparkJobProps {
  /** The VPC of the cluster (a `PrivateNetwork`'s: isolated subnets, no NAT). */
  readonly vpc: ec2.IVpc;
  /**
   * The subnets of the cluster's instances.
   *
   * @default - the isolated subnets of `vpc`
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * The KMS interface endpoint of `vpc`: local disk encryption asks KMS for data keys from the
   * nodes, which in isolated subnets reach KMS only through it. The cluster's security groups are
   * admitted to it on HTTPS. A VPC has at most one KMS endpoint with private DNS: pass yours if
   * `vpc` has one (for a `PrivateNetwork`, `network.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.KMS)`).
   *
   * @default - a new KMS interface endpoint with private DNS in the cluster's subnets
   */
  readonly kmsEndpoint?: ec2.IInterfaceVpcEndpoint;
  /**
   * The EMR release.
   *
   * @default 'emr-7.12.0'
   */
  readonly releaseLabel?: string;
  /**
   * Instance type of the primary node and of the core nodes.
   *
   * @default 'm5.xlarge'
   */
  readonly instanceType?: string;
  /**
   * How many core nodes (0 runs everything on the primary node).
   *
   * @default 2
   */
  readonly coreInstanceCount?: number;
  /**
   * How long the cluster may sit idle before EMR terminates it: the safety net if the state
   * machine cannot terminate it (60 seconds to 7 days).
   *
   * @default Duration.minutes(30)
   */
  readonly idleTimeout?: Duration;
  /**
   * An S3 URI of a zip of PEM files (`privateKey.pem`, `certificateChain.pem`,
   * `trustedCertificates.pem`) that turns on in-transit encryption (TLS between nodes, for
   * Spark, Hadoop and EMRFS). EMR has no built-in certificate: you create and rotate these.
   *
   * @default - no in-transit encryption between the nodes (traffic stays in the private subnets;
   *   S3 traffic is always TLS)
   * @see https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-encryption-enable.html#emr-encryption-certificates
   */
  readonly tlsCertificatesZip?: string;
  /**
   * How long the whole run (cluster start, step, termination) may take.
   *
   * @default Duration.hours(3)
   */
  readonly timeout?: Duration;
}

/**
 * A transient Apache Spark cluster on EMR on EC2: a Step Functions state machine creates the
 * cluster, runs the script as a `spark-submit` step (`command-runner.jar`) and terminates the
 * cluster, whether the step succeeded or failed.
 *
 * EMR on EC2 gives full control of the instances (types, Spot, bootstrap actions, any Hadoop
 * application); a transient cluster pays for them only while one job runs, unlike a long-lived
 * cluster. Clusters take several minutes to start, so this suits jobs of tens of minutes or more.
 *
 * Choices:
 * - instance fleets in private subnets (a `PrivateNetwork`'s: no NAT), with EMR-managed
 *   security groups and the service-access group EMR needs in private subnets, each with every
 *   inbound and outbound rule the EMR page lists (EMR adds missing inbound rules itself, never
 *   outbound ones): nodes to nodes on all traffic, the cluster manager to the nodes on 8443, the
 *   nodes to the service-access group on 9443, and HTTPS out to the endpoints;
 * - termination on every path: the step's failure is caught, the cluster terminated, and the
 *   execution failed (`SparkJobFailed`); an auto-termination idle timeout (30 minutes) as a
 *   second safety net;
 * - a security configuration: at-rest encryption with the workspace key (S3 SSE-KMS through
 *   EMRFS, local disks with LUKS and EBS volumes), IMDSv2 only (hop limit 1), and in-transit
 *   encryption when you give TLS certificates (`tlsCertificatesZip`);
 * - our own roles: a service role with `AmazonEMRServicePolicy_v2` (which only touches resources
 *   tagged `for-use-with-amazon-emr-managed-policies=true`; the v1 `AmazonElasticMapReduceRole`
 *   and `EMR_DefaultRole` are deprecated) and an instance profile whose role reads the script and
 *   inputs and writes outputs and logs, nothing more;
 * - logs to the workspace bucket.
 *
 * Cost at idle: the KMS interface endpoint (unless you pass yours), about 0.01 USD per hour per
 * AZ (about 15 USD a month in two AZs); no cluster exists between runs. A run bills the EC2
 * instances plus the EMR fee per instance-second, from cluster start to termination.
 *
 * @see https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-create-security-configuration.html
 * @see https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-iam-role.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-emr.html
 */
export class EmrSparkCluster extends StateMachineJob {
  /** The role of the cluster's EC2 instances. */
  public readonly instanceRole: iam.Role;
  /** The EMR service role. */
  public readonly serviceRole: iam.Role;
  /** The security configuration of the cluster. */
  public readonly securityConfiguration: emr.CfnSecurityConfiguration;
  /** The state machine that runs the cluster for one job. */
  public readonly stateMachine: sfn.StateMachine;
  /** The uploaded script. */
  public readonly script: SparkScriptAsset;
  /** Where the cluster logs go. */
  public readonly logUri: string;
  /** The EMR-managed security group of the primary node. */
  public readonly primarySecurityGroup: ec2.SecurityGroup;
  /** The EMR-managed security group of the core and task nodes. */
  public readonly coreSecurityGroup: ec2.SecurityGroup;
  /** The security group through which the EMR service reaches a cluster in private subnets. */
  public readonly serviceAccessSecurityGroup: ec2.SecurityGroup;
  /** The KMS interface endpoint the nodes reach KMS through. */
  public readonly kmsEndpoint: ec2.IInterfaceVpcEndpoint;
  private readonly vpc: ec2.IVpc;

  constructor(scope: Construct, id: string, props: EmrSparkClusterProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const releaseLabel = props.releaseLabel ?? 'emr-7.12.0';
    if (!Token.isUnresolved(releaseLabel)) {
      const match = RELEASE_LABEL.exec(releaseLabel);
      check(match !== null && Number(match[1]) >= 6, this, 'releaseLabel', releaseLabel,
        'must be emr-6.0.0 or later, such as emr-7.12.0 (IMDSv2 in the security configuration needs a current release)');
    }
    const instanceType = props.instanceType ?? 'm5.xlarge';
    check(INSTANCE_TYPE.test(instanceType), this, 'instanceType', instanceType, 'must be an EC2 instance type such as m5.xlarge');
    const coreCount = props.coreInstanceCount ?? 2;
    // TargetOnDemandCapacity has no upper bound in the API: the number of instances is an EC2 quota.
    checkInteger(this, 'coreInstanceCount', coreCount, { min: 0 });
    const timeoutMinutes = (props.timeout ?? Duration.hours(3)).toMinutes({ integral: false });
    checkInteger(this, 'timeout', timeoutMinutes, { min: 1, max: MAX_EXECUTION_MINUTES, why: 'whole minutes, at most the one year a state machine execution may run' });
    (props.scriptArguments ?? []).forEach((argument, index) => checkLength(this, `scriptArguments[${index}]`, argument, { max: 10_280, why: 'an EMR step argument' }));
    const idleTimeout = props.idleTimeout ?? Duration.minutes(30);
    checkInteger(this, 'idleTimeout', idleTimeout.toSeconds(), { min: 60, max: 604800, why: 'seconds, from 1 minute to 7 days' });
    if (props.tlsCertificatesZip !== undefined && !Token.isUnresolved(props.tlsCertificatesZip)) {
      check(/^s3:\/\/[^/]+\/.+\.zip$/.test(props.tlsCertificatesZip), this, 'tlsCertificatesZip', props.tlsCertificatesZip,
        'must be the S3 URI of a zip of PEM files, such as s3://bucket/certs/emr.zip');
    }
    const key = props.workspace.encryptionKey;
    this.vpc = props.vpc;
    const vpc = this.vpc;
    const subnets = vpc.selectSubnets(props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED });

    // Roles.
    this.serviceRole = new iam.Role(this, 'ServiceRole', {
      description: `EMR service role of the transient clusters of ${this.node.path}`,
      assumedBy: new iam.ServicePrincipal('elasticmapreduce.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonEMRServicePolicy_v2')],
    });
    Validations.of(this.serviceRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2]',
      reason: 'AmazonEMRServicePolicy_v2 is the current EMR service policy that AWS keeps in step with EMR; it lets EMR create and '
        + 'manage EC2 resources only when they are tagged for-use-with-amazon-emr-managed-policies=true, as this construct tags them',
    });
    this.instanceRole = new iam.Role(this, 'InstanceRole', {
      description: `EC2 instances of the transient clusters of ${this.node.path}`,
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    });
    // The state machine names the instance profile by the role's name.
    new iam.CfnInstanceProfile(this, 'InstanceProfile', { roles: [this.instanceRole.roleName], instanceProfileName: this.instanceRole.roleName });
    this.script = new SparkScriptAsset(this, 'Script', props.scriptPath);
    this.script.grantRead(this.instanceRole, 'ScriptRead');
    (props.inputs ?? []).forEach(input => grantSparkRead(this, this.instanceRole, input));
    (props.outputs ?? []).forEach(output => grantSparkWrite(this, this.instanceRole, output));
    const logPrefix = `emr/${Names.uniqueId(this)}/logs/`;
    this.logUri = props.workspace.bucket.s3UrlForObject(logPrefix);
    grantPrefixWrite(this, 'LogWrite', this.instanceRole, props.workspace, logPrefix);
    // Local disk encryption: the nodes ask KMS for data keys; EMR encrypts EBS volumes with grants.
    attachGrantPolicy(this, 'DiskKeyPolicy', {
      grantee: this.instanceRole,
      statements: [new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:DescribeKey'], resources: [key.keyArn] })],
    });
    attachGrantPolicy(this, 'ServiceKeyPolicy', {
      grantee: this.serviceRole,
      statements: [
        new iam.PolicyStatement({ actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'], resources: [key.keyArn] }),
        new iam.PolicyStatement({ actions: ['kms:CreateGrant'], resources: [key.keyArn], conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } }),
      ],
    });

    // Network: the EMR-managed security groups of a cluster in private subnets, with every rule the
    // EMR page lists, egress included (EMR adds missing inbound rules only, never outbound ones).
    this.primarySecurityGroup = this.managedSecurityGroup('PrimarySecurityGroup', `EMR primary node of ${this.node.path}`);
    this.coreSecurityGroup = this.managedSecurityGroup('CoreSecurityGroup', `EMR core and task nodes of ${this.node.path}`);
    this.serviceAccessSecurityGroup = this.managedSecurityGroup('ServiceAccessSecurityGroup', `EMR service access to ${this.node.path} in private subnets`);
    allowEmrManagedTraffic(this.primarySecurityGroup, this.coreSecurityGroup, this.serviceAccessSecurityGroup);
    const [primary, core, serviceAccess] = [this.primarySecurityGroup, this.coreSecurityGroup, this.serviceAccessSecurityGroup];
    this.kmsEndpoint = props.kmsEndpoint ?? new ec2.InterfaceVpcEndpoint(this, 'KmsEndpoint', {
      vpc, service: ec2.InterfaceVpcEndpointAwsService.KMS, subnets: { subnets: subnets.subnets }, privateDnsEnabled: true, open: false,
    });
    this.kmsEndpoint.connections.allowDefaultPortFrom(primary);
    this.kmsEndpoint.connections.allowDefaultPortFrom(core);
    subnets.subnets.forEach(subnet => Tags.of(subnet).add(EMR_MANAGED_TAG, 'true'));

    this.securityConfiguration = new emr.CfnSecurityConfiguration(this, 'SecurityConfiguration', {
      securityConfiguration: {
        EncryptionConfiguration: {
          EnableAtRestEncryption: true,
          EnableInTransitEncryption: props.tlsCertificatesZip !== undefined,
          AtRestEncryptionConfiguration: {
            S3EncryptionConfiguration: { EncryptionMode: 'SSE-KMS', AwsKmsKey: key.keyArn },
            LocalDiskEncryptionConfiguration: { EncryptionKeyProviderType: 'AwsKms', AwsKmsKey: key.keyArn, EnableEbsEncryption: true },
          },
          ...(props.tlsCertificatesZip ? {
            InTransitEncryptionConfiguration: {
              TLSCertificateConfiguration: { CertificateProviderType: 'PEM', S3Object: props.tlsCertificatesZip },
            },
          } : {}),
        },
        InstanceMetadataServiceConfiguration: { MinimumInstanceMetadataServiceVersion: 2, HttpPutResponseHopLimit: 1 },
      },
    });

    if (props.tlsCertificatesZip === undefined) {
      Validations.of(this.securityConfiguration).acknowledge({
        id: 'cdk-validator-cfnguard::emr_sec_config_encryption_in_transit_check',
        reason: 'EMR in-transit encryption needs TLS certificates that the user creates and rotates (a PEM zip in S3); none was given '
          + '(tlsCertificatesZip), so node-to-node traffic stays in isolated private subnets without TLS; S3 and KMS calls always use TLS',
      });
    }

    // The state machine: create → step → terminate; a failed step still terminates the cluster.
    const createCluster = new tasks.EmrCreateCluster(this, 'CreateCluster', {
      name: Names.uniqueResourceName(this, { maxLength: 200, separator: '-' }),
      releaseLabel,
      applications: [{ name: 'Spark' }],
      serviceRole: this.serviceRole,
      clusterRole: this.instanceRole,
      securityConfiguration: this.securityConfiguration.ref,
      logUri: this.logUri,
      visibleToAllUsers: true,
      autoTerminationPolicyIdleTimeout: idleTimeout,
      instances: {
        ec2SubnetIds: subnets.subnetIds,
        emrManagedMasterSecurityGroup: primary.securityGroupId,
        emrManagedSlaveSecurityGroup: core.securityGroupId,
        serviceAccessSecurityGroup: serviceAccess.securityGroupId,
        terminationProtected: false,
        instanceFleets: [
          { instanceFleetType: tasks.EmrCreateCluster.InstanceRoleType.MASTER, name: 'primary', targetOnDemandCapacity: 1, instanceTypeConfigs: [{ instanceType }] },
          ...(coreCount > 0 ? [{
            instanceFleetType: tasks.EmrCreateCluster.InstanceRoleType.CORE, name: 'core', targetOnDemandCapacity: coreCount, instanceTypeConfigs: [{ instanceType }],
          }] : []),
        ],
      },
      resultPath: '$.Cluster',
    });
    const clusterId = sfn.JsonPath.stringAt('$.Cluster.ClusterId');
    const runStep = new tasks.EmrAddStep(this, 'RunSparkStep', {
      clusterId,
      name: 'feature-engineering',
      jar: 'command-runner.jar',
      args: ['spark-submit', '--deploy-mode', 'cluster', this.script.s3Uri, ...(props.scriptArguments ?? [])],
      actionOnFailure: tasks.ActionOnFailure.CONTINUE,
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      resultPath: '$.Step',
    });
    const terminate = new tasks.EmrTerminateCluster(this, 'TerminateCluster', { clusterId, integrationPattern: sfn.IntegrationPattern.RUN_JOB, resultPath: sfn.JsonPath.DISCARD });
    const terminateAfterFailure = new tasks.EmrTerminateCluster(this, 'TerminateClusterAfterFailure', {
      clusterId, integrationPattern: sfn.IntegrationPattern.RUN_JOB, resultPath: sfn.JsonPath.DISCARD,
    });
    const failed = new sfn.Fail(this, 'SparkJobFailed', { error: 'SparkJobFailed', causePath: '$.Error.Cause' });
    terminateAfterFailure.addRetry({ maxAttempts: 3, interval: Duration.seconds(30) });
    terminateAfterFailure.next(failed);
    // A cluster that fails to start is terminated by EMR itself.
    createCluster.addCatch(new sfn.Fail(this, 'ClusterFailedToStart', { error: 'ClusterFailedToStart', causePath: '$.Error.Cause' }), { resultPath: '$.Error' });
    runStep.addCatch(terminateAfterFailure, { resultPath: '$.Error' });
    terminate.addRetry({ maxAttempts: 3, interval: Duration.seconds(30) });

    this.stateMachine = this.createStateMachine('StateMachine', {
      definition: createCluster.next(runStep).next(terminate),
      timeout: props.timeout ?? Duration.hours(3),
      encryptionKey: key,
      removalPolicy: dataRemovalPolicy(props),
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      // The cluster's instances read and write the data with the instance role; the service role
      // only manages the cluster.
      job: { label: 'EMR cluster step, transient', roles: [this.instanceRole] },
      taskWildcardReason: 'the EMR tasks of aws-stepfunctions-tasks act on a cluster whose id exists only at run time '
        + '(elasticmapreduce:RunJobFlow, DescribeCluster, AddJobFlowSteps, TerminateJobFlows on `*`, per https://docs.aws.amazon.com/step-functions/latest/dg/emr-iam.html)',
    }).stateMachine;
    this.declareRuntimeCalls(props, logPrefix);
  }

  /** What EMR, the nodes and Step Functions do with the roles, and the flows between the security groups. */
  private declareRuntimeCalls(props: EmrSparkClusterProps, logPrefix: string): void {
    const stack = Stack.of(this);
    const key = props.workspace.encryptionKey;
    const ec2Role = 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-iam-role-for-ec2.html';
    const encryption = 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-encryption-enable.html';
    const sfnIam = 'https://docs.aws.amazon.com/step-functions/latest/dg/emr-iam.html';
    const machine = this.stateMachine.role;
    const rehearsal = Rehearsal.of(this);
    declareSparkDataCalls(this, this.instanceRole, props, ec2Role);
    rehearsal.allows(
      assumedBy(this.serviceRole, 'elasticmapreduce.amazonaws.com', 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-iam-role.html', { 'aws:SourceAccount': stack.account }),
      assumedBy(this.instanceRole, 'ec2.amazonaws.com', ec2Role),
      {
        description: 'the nodes write the cluster logs', principal: this.instanceRole, action: 's3:PutObject', resource: props.workspace.bucket.arnForObjects(`${logPrefix}j-CLUSTER/steps/s-STEP/stderr.gz`),
        source: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-plan-debugging.html',
      },
      { description: 'the nodes encrypt their local disks with the workspace key', principal: this.instanceRole, action: 'kms:GenerateDataKey', resource: key.keyArn, source: encryption },
      {
        description: 'EMR encrypts the EBS volumes of the nodes with a grant on the workspace key', principal: this.serviceRole, action: 'kms:CreateGrant', resource: key.keyArn,
        context: { 'kms:GrantIsForAWSResource': 'true' }, source: encryption,
      },
      { description: 'the state machine creates the cluster', principal: machine, action: 'elasticmapreduce:RunJobFlow', resource: '*', source: sfnIam },
      { description: 'the state machine passes the service role to EMR', principal: machine, action: 'iam:PassRole', resource: this.serviceRole.roleArn, source: sfnIam },
      { description: 'the state machine passes the instance role to EMR', principal: machine, action: 'iam:PassRole', resource: this.instanceRole.roleArn, source: sfnIam },
    );
    const securityGroups = 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-man-sec-groups.html';
    const [primary, core, serviceAccess] = [this.primarySecurityGroup, this.coreSecurityGroup, this.serviceAccessSecurityGroup];
    rehearsal.connects(
      ...[[primary, core], [core, primary], [primary, primary], [core, core]].map(([from, to]) => ({
        description: 'the nodes of the cluster reach each other (YARN, HDFS, Spark)', from, to, port: ec2.Port.allTcp(), source: securityGroups,
      })),
      ...[primary, core].flatMap(node => [
        { description: 'the EMR cluster manager reaches the node', from: serviceAccess, to: node, port: ec2.Port.tcp(8443), source: securityGroups },
        { description: 'the node reaches the service-access group', from: node, to: serviceAccess, port: ec2.Port.tcp(9443), source: securityGroups },
        { description: 'the node asks KMS for the keys of its local disks, through the endpoint', from: node, to: this.kmsEndpoint, port: ec2.Port.tcp(443), source: encryption },
      ]),
    );
  }

  /** A security group that the cluster names as EMR-managed, tagged for `AmazonEMRServicePolicy_v2`. */
  private managedSecurityGroup(id: string, description: string): ec2.SecurityGroup {
    const group = new ec2.SecurityGroup(this, id, { vpc: this.vpc, description, allowAllOutbound: false });
    Tags.of(group).add(EMR_MANAGED_TAG, 'true');
    return group;
  }

}

/**
 * The rules of the EMR-managed security groups of a cluster in private subnets (EMR releases 5.30.0
 * to 7.x), each on both sides (ingress of the receiver, egress of the sender):
 *
 * - primary and core/task nodes reach each other and themselves over all ICMP, TCP and UDP (the
 *   reflexive and cross-group rules EMR adds; written as EMR writes them, so that EMR finds them
 *   present and adds no rule that CloudFormation does not know of when it deletes the groups);
 * - the service-access group reaches both node groups on TCP 8443 (the cluster manager);
 * - the nodes reach the service-access group on TCP 9443;
 * - the nodes leave on HTTPS only (443): the S3 gateway endpoint and the interface endpoints, the
 *   only routes out of isolated subnets.
 *
 * EMR re-creates missing inbound rules when a cluster starts, never outbound ones: without these
 * egress rules the nodes cannot reach each other or the service-access group.
 *
 * @see https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-man-sec-groups.html
 */
function allowEmrManagedTraffic(primary: ec2.SecurityGroup, core: ec2.SecurityGroup, serviceAccess: ec2.SecurityGroup): void {
  const nodeGroups = [primary, core];
  for (const port of [ec2.Port.allIcmp(), ec2.Port.allTcp(), ec2.Port.allUdp()]) {
    for (const to of nodeGroups) {
      for (const from of nodeGroups) {
        if (from === to) {
          to.connections.allowInternally(port, 'EMR nodes of the cluster');
        } else {
          to.connections.allowFrom(from, port, 'EMR nodes of the cluster');
        }
      }
    }
  }
  for (const node of nodeGroups) {
    node.connections.allowFrom(serviceAccess, ec2.Port.tcp(8443), 'EMR cluster manager');
    serviceAccess.connections.allowFrom(node, ec2.Port.tcp(9443), 'EMR nodes to the service access');
    node.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to the VPC endpoints (S3 gateway, KMS)');
  }
  // Its only outbound rules are to the node groups (separate resources).
  keepOutboundClosed(serviceAccess);
}
