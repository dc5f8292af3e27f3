"""Feature engineering for the Spark-at-scale demo: one PySpark script, four engines.

The same file runs on EMR Serverless, on a transient EMR on EC2 cluster and on a SageMaker Spark
Processing job; Redshift Spectrum then queries what it wrote, in place, through the Glue catalog.
It reads raw transaction events (JSON lines or Parquet) from the lake, derives per-event features
and per-customer aggregates, and writes both as Parquet, partitioned by event date, to the
analytics zone.

Usage (spark-submit or any engine's entry point arguments):

    feature_engineering.py --input s3://raw-bucket/transactions/ --output s3://analytics-bucket/features/
                           [--format json|parquet] [--amount-buckets 10,100,1000] [--s3-scheme s3|s3a]

Everything that is not Spark (argument parsing, URI handling, bucket labels) is a pure function
with no PySpark import, so that it is unit-tested with plain python3 (see test_feature_engineering.py).
"""
import argparse
import math
import sys

DEFAULT_AMOUNT_BUCKETS = (10.0, 100.0, 1000.0)
INPUT_FORMATS = ('json', 'parquet')


def parse_args(argv):
    """Parses the job arguments; fails on a missing or malformed one before Spark starts."""
    parser = argparse.ArgumentParser(description='Derives ML features from raw transaction events.')
    parser.add_argument('--input', required=True, help='S3 URI of the raw events (a prefix)')
    parser.add_argument('--output', required=True, help='S3 URI where the features are written')
    parser.add_argument('--format', default='json', choices=INPUT_FORMATS, help='format of the raw events')
    parser.add_argument('--s3-scheme', default='s3', choices=('s3', 's3a'),
                        help='scheme of the S3 connector: s3 (EMRFS, on EMR) or s3a (Hadoop S3A, on SageMaker)')
    parser.add_argument('--amount-buckets', default=','.join(str(b) for b in DEFAULT_AMOUNT_BUCKETS),
                        help='increasing upper bounds of the amount buckets, comma-separated')
    args = parser.parse_args(argv)
    args.input = engine_uri(args.input, args.s3_scheme)
    args.output = engine_uri(args.output, args.s3_scheme)
    args.amount_buckets = parse_buckets(args.amount_buckets)
    return args


def engine_uri(uri, scheme):
    """`uri` (s3://, s3a:// or s3n://) rewritten with the scheme of the engine's S3 connector.

    EMR and EMR Serverless read `s3://` through EMRFS; the SageMaker Spark image reads through
    Hadoop's S3A connector, `s3a://`. The engine passes `--s3-scheme`, so one script runs on both.
    """
    if scheme not in ('s3', 's3a'):
        raise ValueError('expected the scheme s3 or s3a, got %r' % (scheme,))
    if not uri or '://' not in uri:
        raise ValueError('expected an S3 URI such as s3://bucket/prefix/, got %r' % (uri,))
    target = scheme
    scheme, rest = uri.split('://', 1)
    if scheme not in ('s3', 's3a', 's3n'):
        raise ValueError('expected an s3://, s3a:// or s3n:// URI, got %r' % (uri,))
    if not rest or rest.startswith('/'):
        raise ValueError('the URI %r names no bucket' % (uri,))
    return '%s://%s' % (target, rest)


def parse_buckets(text):
    """Parses increasing, positive bucket bounds such as "10,100,1000"."""
    try:
        bounds = [float(part) for part in text.split(',') if part.strip()]
    except ValueError:
        raise ValueError('amount buckets must be numbers separated by commas, got %r' % (text,))
    if not bounds:
        raise ValueError('at least one amount bucket bound is needed')
    if any(b <= 0 or math.isnan(b) or math.isinf(b) for b in bounds):
        raise ValueError('amount bucket bounds must be positive and finite, got %r' % (text,))
    if any(later <= earlier for earlier, later in zip(bounds, bounds[1:])):
        raise ValueError('amount bucket bounds must increase, got %r' % (text,))
    return tuple(bounds)


def bucket_labels(bounds):
    """One label per bucket: "lt_10", "lt_100", ..., and "ge_<last bound>" for the rest."""
    def fmt(b):
        return ('%d' % b) if float(b).is_integer() else ('%g' % b).replace('.', '_')
    return ['lt_%s' % fmt(b) for b in bounds] + ['ge_%s' % fmt(bounds[-1])]


def amount_bucket(amount, bounds):
    """The label of the bucket of one amount (the Spark job computes the same with `when`)."""
    labels = bucket_labels(bounds)
    if amount is None:
        return None
    for bound, label in zip(bounds, labels):
        if amount < bound:
            return label
    return labels[-1]


def log_amount(amount):
    """log(1 + |amount|) with the amount's sign: compresses the long tail of amounts."""
    if amount is None:
        return None
    return math.copysign(math.log1p(abs(amount)), amount)


def run(spark, args):  # pragma: no cover - needs a Spark session
    from pyspark.sql import functions as F

    source = args.input
    target = args.output
    events = spark.read.format(args.format).load(source)

    amount = F.col('amount').cast('double')
    bucket = None
    for bound, label in zip(args.amount_buckets, bucket_labels(args.amount_buckets)):
        bucket = F.when(amount < bound, F.lit(label)) if bucket is None else bucket.when(amount < bound, F.lit(label))
    bucket = bucket.otherwise(F.lit(bucket_labels(args.amount_buckets)[-1]))

    event_time = F.to_timestamp('event_time')
    features = (events
                .where(F.col('customer_id').isNotNull() & amount.isNotNull())
                .withColumn('event_time', event_time)
                .withColumn('event_date', F.to_date(event_time))
                .withColumn('amount', amount)
                .withColumn('amount_log', F.signum(amount) * F.log1p(F.abs(amount)))
                .withColumn('amount_bucket', bucket)
                .withColumn('hour_of_day', F.hour(event_time))
                .withColumn('is_weekend', F.dayofweek(event_time).isin(1, 7))
                .dropDuplicates(['transaction_id'] if 'transaction_id' in events.columns else None))

    per_customer = (features.groupBy('customer_id', 'event_date')
                    .agg(F.count(F.lit(1)).alias('transactions'),
                         F.sum('amount').alias('amount_total'),
                         F.avg('amount').alias('amount_mean'),
                         F.stddev_samp('amount').alias('amount_stddev'),
                         F.max('amount').alias('amount_max')))

    features.write.mode('overwrite').partitionBy('event_date').parquet(target.rstrip('/') + '/events/')
    per_customer.write.mode('overwrite').partitionBy('event_date').parquet(target.rstrip('/') + '/customers/')


def main(argv=None):  # pragma: no cover - needs a Spark session
    from pyspark.sql import SparkSession

    args = parse_args(sys.argv[1:] if argv is None else argv)
    spark = SparkSession.builder.appName('feature-engineering').getOrCreate()
    try:
        run(spark, args)
    finally:
        spark.stop()


if __name__ == '__main__':  # pragma: no cover
    main()
