"""Glue Spark job: curate raw order events into partitioned Parquet.

Reads the JSON (or CSV) order events that land in the raw zone, applies the rules of
`modules/order_transforms.py` (shipped as a zip with `--extra-py-files`: standardize, handle missing values, deduplicate), writes Parquet partitioned
by year/month/day to the curated zone and creates or updates the table and its partitions in the
curated zone's Glue database.

Job bookmarks make runs incremental: the source is read with a `transformation_ctx`, so each run
reads only the objects that arrived since the last successful run, and `job.commit()` records the
new position. Deduplication therefore works within a run; a later correction of the same order
lands in a later partition and readers pick the latest `updated_at` (or a compaction job merges).

Arguments (set by GlueEtlPipeline as default arguments of the job):
  --source_path       s3://<raw bucket>/<prefix>/  where the raw events are
  --source_format     json or csv
  --target_path       s3://<curated bucket>/<table>/  where the Parquet files go
  --target_database   the curated zone's Glue database
  --target_table      the curated table's name
"""
import sys

from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from pyspark.sql.types import DoubleType, StringType, StructField, StructType

from order_transforms import CURATED_COLUMNS, PARTITION_KEYS, latest, standardize

ARGS = getResolvedOptions(sys.argv, ["JOB_NAME", "source_path", "source_format", "target_path", "target_database", "target_table"])

SPARK_TYPES = {"string": StringType(), "double": DoubleType()}
CURATED_SCHEMA = StructType([StructField(name, SPARK_TYPES[kind], True) for name, kind in CURATED_COLUMNS])


def main():
    glue_context = GlueContext(SparkContext.getOrCreate())
    spark = glue_context.spark_session
    job = Job(glue_context)
    job.init(ARGS["JOB_NAME"], ARGS)

    format_options = {"withHeader": True} if ARGS["source_format"] == "csv" else {}
    raw = glue_context.create_dynamic_frame.from_options(
        connection_type="s3",
        connection_options={"paths": [ARGS["source_path"]], "recurse": True},
        format=ARGS["source_format"],
        format_options=format_options,
        transformation_ctx="raw_orders",  # the job bookmark's key for this source
    )

    # Sources disagree on types (an amount as 12.5 or "12.50"): cast every ambiguous column to
    # text and let `standardize` parse it.
    curated_rows = (
        raw.resolveChoice(choice="cast:string").toDF().rdd
        .map(lambda row: standardize(row.asDict(recursive=True)))
        .filter(lambda record: record is not None)
        .map(lambda record: (record["order_id"], record))
        .reduceByKey(latest)
        .values()
        .map(lambda record: tuple(record[name] for name, _ in CURATED_COLUMNS))
    )
    curated = spark.createDataFrame(curated_rows, CURATED_SCHEMA)

    sink = glue_context.getSink(
        connection_type="s3",
        path=ARGS["target_path"],
        enableUpdateCatalog=True,
        updateBehavior="UPDATE_IN_DATABASE",
        partitionKeys=PARTITION_KEYS,
        transformation_ctx="curated_orders",
    )
    sink.setFormat("glueparquet", compression="snappy")
    sink.setCatalogInfo(catalogDatabase=ARGS["target_database"], catalogTableName=ARGS["target_table"])
    sink.writeFrame(DynamicFrame.fromDF(curated, glue_context, "curated_orders"))

    job.commit()


if __name__ == "__main__":
    main()
