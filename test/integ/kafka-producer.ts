import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { KafkaIngestion } from '../../lib';
import { harnessFunction } from './harness-function';

/** The producer's code: plain JavaScript with no dependency, deployed inline. */
export const KAFKA_PRODUCER_HANDLER = path.join(__dirname, 'kafka-producer-handler', 'index.js');

/** Properties of a {@link KafkaProducer}. */
export interface KafkaProducerProps {
  /** The cluster whose topic the producer writes. */
  readonly kafka: KafkaIngestion;
  /** The VPC of the brokers; the function runs in its isolated subnets. */
  readonly vpc: ec2.IVpc;
  /** A security group the brokers admit on the IAM/TLS port (`KafkaIngestion.allowClientsFrom`), with egress to them. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** The key of the function's logs (CloudWatch Logs must be allowed to use it). */
  readonly logEncryptionKey: kms.IKey;
}

/**
 * Test harness of the Kafka-ingestion sandbox test: a function inside the VPC that writes a few JSON
 * records to the topic as a producer of the demo would (kafka-producer-handler/index.js: TLS to
 * the brokers on 9098, SASL `AWS_MSK_IAM`, Metadata, Produce with acks = -1).
 *
 * Invoke it with `{ "bootstrapBrokers": "<BootstrapBrokerStringSaslIam>", "topic": "events",
 * "records": 3 }`: the isolated subnets have no route to AWS APIs, so the caller passes the
 * brokers it got from `GetBootstrapBrokers`. It answers `{ "produced": 3, "partitions": [...] }`.
 *
 * Its role has exactly the library's `grantWrite` (plus its logs and the network interfaces of a
 * VPC function): the records arrive only if that grant carries every action a producer needs
 * (connect, describe the topic, write). Its security group is the one given, which the brokers
 * must admit: the network path of the demo's producers.
 *
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
 */
export class KafkaProducer extends Construct {
  /** The producer function. */
  public readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: KafkaProducerProps) {
    super(scope, id);
    this.function = harnessFunction(this, 'Function', {
      description: 'Sandbox test harness: writes JSON records to the Kafka topic (SASL AWS_MSK_IAM over TLS)',
      roleDescription: 'Writes the sandbox test\'s records to the Kafka topic, with the cluster\'s producer grant only; writes its own logs',
      code: fs.readFileSync(KAFKA_PRODUCER_HANDLER, 'utf-8'),
      logEncryptionKey: props.logEncryptionKey,
      // Two authenticated connections and a Produce with acks = -1: seconds; each step gives up after 15.
      timeout: Duration.minutes(1),
      environment: {},
      vpc: { vpc: props.vpc, securityGroup: props.securityGroup },
    });
    props.kafka.grantWrite(this.function);
  }
}
