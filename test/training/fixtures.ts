import { AccessLogBucket, PrivateNetwork, SecureBucket, createDataKey } from '../../lib';
import { newStack } from '../helpers';

/** A stack with a private network and a KMS-encrypted training-data bucket, as the training tests use. */
export function trainingSetup() {
  const stack = newStack('Train');
  const network = new PrivateNetwork(stack, 'Network');
  const key = createDataKey(stack, 'Key', 'test', {});
  const bucket = new SecureBucket(stack, 'Bucket', { encryptionKey: key, serverAccessLogsBucket: new AccessLogBucket(stack, 'Logs') });
  return { stack, network, bucket, key };
}
