import { IConstruct } from 'constructs';
import { check, checkLength } from './validation';

/**
 * Checks an S3 key prefix: relative (no leading `/`, no `s3://`), no `.` or `..` segments, and
 * ending with `/` unless empty (the whole bucket); at most 1,024 bytes, the longest S3 key.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
 */
export function checkRelativePrefix(scope: IConstruct, prop: string, prefix: string): void {
  const segments = prefix.split('/').slice(0, -1);
  const ok = prefix === '' || (!prefix.startsWith('/') && !prefix.includes('://') && prefix.endsWith('/')
    && segments.every(segment => segment !== '' && segment !== '.' && segment !== '..'));
  check(ok, scope, prop, prefix,
    "must be a relative S3 key prefix ending with '/' (no leading '/', no 's3://', no empty, '.' or '..' segments), or '' for the whole bucket");
  check(Buffer.byteLength(prefix, 'utf8') <= 1024, scope, prop, prefix, 'must be at most 1024 bytes of UTF-8 (S3 keys are at most 1,024 bytes)');
}

/**
 * Checks an absolute directory path: starts with `/`, no empty, `.` or `..` segments, no trailing
 * `/` (except `/`), no line breaks, at most 4,096 characters (SageMaker's `DirectoryPath` and
 * FSx's `FileSystemPath`).
 *
 * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_FileSystemDataSource.html
 * @see https://docs.aws.amazon.com/fsx/latest/APIReference/API_CreateDataRepositoryAssociation.html
 */
export function checkAbsolutePath(scope: IConstruct, prop: string, path: string): void {
  const segments = path.split('/').slice(1);
  const ok = path === '/' || (path.startsWith('/') && segments.every(segment => segment !== '' && segment !== '.' && segment !== '..'));
  check(ok, scope, prop, path, "must be an absolute path such as '/data' (starting with '/', no trailing '/', no empty, '.' or '..' segments)");
  check(!/[\u0000\r\n\u0085\u2028\u2029]/.test(path), scope, prop, path, 'must not contain line breaks or NUL characters');
  checkLength(scope, prop, path, { max: 4096, why: 'directory paths of SageMaker and FSx' });
}
