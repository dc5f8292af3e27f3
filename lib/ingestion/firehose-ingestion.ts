import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PropValidationError } from '../core/validation';
import { LakeDataFormat, ResolvedLakeDelivery } from './lake-delivery';

/** The period of the metrics and alarms of a delivery: 5 minutes, as Firehose's best practices use. */
const PERIOD = Duration.minutes(5);

/**
 * A construct that delivers records into the lake with an Amazon Data Firehose stream
 * (`StreamingIngestion`, `KafkaIngestion`): the delivery's metrics, and the alarms built on them.
 *
 * Every metric names the delivery stream (`DeliveryStreamName` dimension): an alarm on a Firehose
 * metric without it has no data and never fires.
 *
 * @see https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html
 * @see https://docs.aws.amazon.com/firehose/latest/dev/firehose-cloudwatch-metrics-best-practices.html
 */
export abstract class FirehoseIngestion extends Construct {
  /** The Firehose stream that delivers the records into the lake. */
  public abstract readonly deliveryStream?: firehose.IDeliveryStream;

  /**
   * The age, in seconds, of the oldest record in the delivery stream not yet delivered to S3
   * (`AWS/Firehose` `DeliveryToS3.DataFreshness`). Above the buffering interval, deliveries lag.
   *
   * @default - maximum over 5 minutes
   */
  public metricDeliveryToS3DataFreshness(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deliveryMetric('DeliveryToS3.DataFreshness', 'Maximum', props);
  }

  /**
   * Successful S3 puts over all S3 puts (`AWS/Firehose` `DeliveryToS3.Success`): 1 while every
   * delivery succeeds; below 1, deliveries fail and are retried, then written under the error prefix.
   *
   * @default - minimum over 5 minutes
   */
  public metricDeliveryToS3Success(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deliveryMetric('DeliveryToS3.Success', 'Minimum', props);
  }

  /**
   * Successful transform invocations over all invocations (`AWS/Firehose`
   * `ExecuteProcessing.Success`): below 1, the Lambda transform fails.
   *
   * @default - minimum over 5 minutes
   */
  public metricExecuteProcessingSuccess(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deliveryMetric('ExecuteProcessing.Success', 'Minimum', props);
  }

  /**
   * Records that failed conversion to Parquet (`AWS/Firehose` `FailedConversion.Records`): they do
   * not match the schema and are written under the error prefix.
   *
   * @default - sum over 5 minutes
   */
  public metricFailedConversionRecords(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deliveryMetric('FailedConversion.Records', 'Sum', props);
  }

  /**
   * The alarms every delivery into the lake gets, each built on one of the metrics above:
   *
   * - data freshness: the oldest undelivered record is older than twice the buffering interval
   *   plus 15 minutes (Firehose recommends alarming when freshness exceeds the buffering limit);
   * - delivery failures: `DeliveryToS3.Success` below 1;
   * - with a transform: `ExecuteProcessing.Success` below 1;
   * - with Parquet: `FailedConversion.Records` above 0.
   */
  protected createDeliveryAlarms(delivery: ResolvedLakeDelivery, withTransform: boolean, topic: sns.ITopic): cloudwatch.Alarm[] {
    const path = this.deliveryStream!.node.path;
    const alarms = [
      this.metricDeliveryToS3DataFreshness().createAlarm(this, 'DataFreshnessAlarm', {
        alarmDescription: `Records wait in ${path} longer than twice the buffering interval plus 15 minutes`,
        threshold: delivery.bufferingInterval.toSeconds() * 2 + 900,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      this.metricDeliveryToS3Success().createAlarm(this, 'DeliveryFailureAlarm', {
        alarmDescription: `Deliveries of ${path} to S3 failed (they are retried, then written under the error prefix)`,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
    if (withTransform) {
      alarms.push(this.metricExecuteProcessingSuccess().createAlarm(this, 'TransformFailureAlarm', {
        alarmDescription: `Invocations of the transform of ${path} failed`,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }));
    }
    if (delivery.dataFormat === LakeDataFormat.PARQUET) {
      alarms.push(this.metricFailedConversionRecords().createAlarm(this, 'ConversionFailureAlarm', {
        alarmDescription: `Records of ${path} do not match the Parquet schema (written under the error prefix)`,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }));
    }
    alarms.forEach(alarm => notify(alarm, topic));
    return alarms;
  }

  /**
   * The topic the alarms notify, unless one is given: encrypted with `key`, TLS only. CloudWatch
   * may use the key to publish to the encrypted topic, for alarms of this account only.
   *
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-encryption
   */
  protected createAlarmTopic(key: kms.IKey, given?: sns.ITopic): sns.ITopic {
    if (given) {
      return given;
    }
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
    }));
    return new sns.Topic(this, 'AlarmTopic', { masterKey: key, enforceSSL: true, displayName: `Alarms of ${this.node.path}`.slice(0, 100) });
  }

  private deliveryMetric(metricName: string, statistic: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.deliveryStream) {
      throw new PropValidationError(this, 'stage', 'CLUSTER', `has no delivery stream yet: ${metricName} exists from the DELIVERY stage`);
    }
    return this.deliveryStream.metric(metricName, { statistic, period: PERIOD, ...props });
  }
}

/** Sends the state changes of `alarm` (to ALARM and back to OK) to `topic`. */
export function notify(alarm: cloudwatch.Alarm, topic: sns.ITopic): void {
  alarm.addAlarmAction(new cwActions.SnsAction(topic));
  alarm.addOkAction(new cwActions.SnsAction(topic));
}
