import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { Rehearsal } from '../../lib';
import { harnessFunction } from './harness-function';

/** The function's code (Node.js, the runtime's AWS SDK only), inlined into the template. */
export const LAKE_ACCESS_HANDLER = path.join(__dirname, 'lake-access-handler', 'index.js');

/** Properties of a {@link LakeAccessCheck}. */
export interface LakeAccessCheckProps {
  /** The role that writes the lake (its grants must let it create tables). */
  readonly engineer: iam.IRole;
  /** The role whose LF-tag grants are checked. */
  readonly analyst: iam.IRole;
  /** The key of the function's logs (CloudWatch Logs must be allowed to use it). */
  readonly logEncryptionKey: kms.IKey;
}

/**
 * Test harness of the data-lake sandbox test: a function that acts as the demo's two people,
 * through their own roles and nothing else (lake-access-handler/index.js). As the data engineer it
 * creates a small table in each database it is given; as the analyst it reads each table's
 * definition, and answers which it could read: `{ "tables": [{ "database", "analyst": "readable" |
 * "denied" }] }`. Lake Formation, not IAM, decides: both roles' IAM policies allow the Glue calls
 * on every zone.
 *
 * The function may only assume the two roles (which trust the account). It runs outside any VPC,
 * as the demo has none, and calls the public STS and Glue endpoints.
 */
export class LakeAccessCheck extends Construct {
  /** Invoke with `{ engineerRoleArn, analystRoleArn, tableName, tables: [{ database, location }] }`. */
  public readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: LakeAccessCheckProps) {
    super(scope, id);
    this.function = harnessFunction(this, 'Function', {
      description: 'Sandbox test harness: creates a table as the data engineer and reads the tables as the analyst',
      roleDescription: 'Assumes the data-lake demo\'s engineer and analyst roles, to check what Lake Formation lets each do; writes its own logs',
      code: fs.readFileSync(LAKE_ACCESS_HANDLER, 'utf-8'),
      logEncryptionKey: props.logEncryptionKey,
      timeout: Duration.minutes(1),
      environment: {},
      statements: [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [props.engineer.roleArn, props.analyst.roleArn] })],
      outsideVpcReason: 'the demo stack has no VPC, and the function calls the public STS and Glue endpoints as the demo\'s people do from their desks',
    });
    // What the deploy rehearsal checks: its policy and each role's trust policy let it assume them.
    Rehearsal.of(this).allows(...[props.engineer, props.analyst].map(role => ({
      description: `the access check assumes ${role.node.path}`, principal: this.function.role!, action: 'sts:AssumeRole', resource: role.roleArn,
      source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html',
    })));
  }
}
