"""Per-minute event statistics with PyFlink on Amazon Managed Service for Apache Flink.

Reads JSON click events (event_id, event_type, user_id, value, and event_time as an ISO-8601 UTC
instant such as "2026-11-29T10:15:30.123Z") from one Kinesis data stream, counts them and averages
`value` per event type in one-minute tumbling windows of event time, and writes one JSON record per
window and type to a second Kinesis data stream.

Managed Service for Apache Flink passes its runtime properties in
/etc/flink/application_properties.json; the property group `StreamAnalytics` names the streams.
The Kinesis table connector is not part of the Flink runtime: the application ZIP must contain
lib/flink-sql-connector-kinesis-5.0.0-1.20.jar (see the demo stack's header).

The functions that build the SQL are pure and unit-tested (test_main.py); only `main()` needs Flink.
"""
import json
import os

PROPERTIES_FILE = "/etc/flink/application_properties.json"
PROPERTY_GROUP = "StreamAnalytics"
REQUIRED_PROPERTIES = ("input.stream.arn", "output.stream.arn", "aws.region")


def read_properties(path=PROPERTIES_FILE, group=PROPERTY_GROUP):
    """Returns the property map of `group` from the runtime properties file, checked for completeness."""
    with open(path, encoding="utf-8") as handle:
        groups = json.load(handle)
    for entry in groups:
        if entry.get("PropertyGroupId") == group:
            return check_properties(entry.get("PropertyMap", {}))
    raise ValueError(f"property group {group} is missing from {path}")


def check_properties(properties):
    """Raises ValueError naming every required property that is missing or empty."""
    missing = [name for name in REQUIRED_PROPERTIES if not properties.get(name)]
    if missing:
        raise ValueError(f"missing runtime properties: {', '.join(missing)}")
    return properties


def quote(value):
    """Quotes `value` as a Flink SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


# The event time column. Producers send ISO-8601 UTC instants ending in Z (JavaScript's
# toISOString(), "2026-11-29T10:15:30.123Z"). With 'json.timestamp-format.standard' = 'ISO-8601',
# Flink's JSON format parses a TIMESTAMP column as "yyyy-MM-ddTHH:mm:ss.s{precision}" (no Z) and a
# TIMESTAMP_LTZ column as "yyyy-MM-ddTHH:mm:ss.s{precision}Z": a TIMESTAMP column would be null for
# every record (under 'json.ignore-parse-errors'), and the watermark would fail the job with
# "RowTime field should not be null". Hence TIMESTAMP_LTZ(3).
# https://nightlies.apache.org/flink/flink-docs-release-1.20/docs/connectors/table/formats/json/
EVENT_TIME_TYPE = "TIMESTAMP_LTZ(3)"


def source_ddl(properties):
    """The table over the input stream: JSON events, with an event-time watermark of 10 seconds.

    `rowtime` is the event time, or the epoch for a record without a readable one (a missing or
    malformed `event_time`): the watermark operator fails the job on a null row time, while an
    epoch row time is simply far behind the watermark. `statistics_sql` leaves such records out.
    """
    return f"""CREATE TABLE events (
  event_id STRING,
  event_type STRING,
  user_id STRING,
  `value` DOUBLE,
  event_time {EVENT_TIME_TYPE},
  rowtime AS COALESCE(event_time, TO_TIMESTAMP_LTZ(0, 3)),
  WATERMARK FOR rowtime AS rowtime - INTERVAL '10' SECOND
) WITH (
  'connector' = 'kinesis',
  'stream.arn' = {quote(properties['input.stream.arn'])},
  'aws.region' = {quote(properties['aws.region'])},
  'source.init.position' = {quote(properties.get('source.init.position', 'LATEST'))},
  'format' = 'json',
  'json.ignore-parse-errors' = 'true',
  'json.timestamp-format.standard' = 'ISO-8601'
)"""


def sink_ddl(properties):
    """The table over the output stream: one JSON record per window and event type, times in UTC with a Z."""
    return f"""CREATE TABLE event_stats (
  window_start {EVENT_TIME_TYPE},
  window_end {EVENT_TIME_TYPE},
  event_type STRING,
  events BIGINT,
  avg_value DOUBLE
) WITH (
  'connector' = 'kinesis',
  'stream.arn' = {quote(properties['output.stream.arn'])},
  'aws.region' = {quote(properties['aws.region'])},
  'format' = 'json',
  'json.timestamp-format.standard' = 'ISO-8601'
)"""


def window_seconds(properties):
    """The window length in seconds (property `window.seconds`, default 60), a positive whole number."""
    raw = properties.get("window.seconds", "60")
    seconds = int(raw)
    if seconds <= 0:
        raise ValueError(f"window.seconds must be a positive whole number, got {raw}")
    return seconds


def statistics_sql(seconds):
    """Counts events and averages `value` per event type in tumbling windows of `seconds`.

    Windows start and end as TIMESTAMP in the session time zone (UTC, see `main`); they are written
    as TIMESTAMP_LTZ, so that the output carries instants ending in Z like the input.
    """
    return f"""INSERT INTO event_stats
SELECT CAST(window_start AS {EVENT_TIME_TYPE}), CAST(window_end AS {EVENT_TIME_TYPE}), event_type,
  COUNT(*) AS events, AVG(`value`) AS avg_value
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(rowtime), INTERVAL '{int(seconds)}' SECOND))
WHERE event_type IS NOT NULL AND event_time IS NOT NULL
GROUP BY window_start, window_end, event_type"""


def main():
    """Runs the job (on Managed Service for Apache Flink; needs the PyFlink runtime)."""
    from pyflink.table import EnvironmentSettings, TableEnvironment  # pylint: disable=import-outside-toplevel

    properties = read_properties(os.environ.get("STREAM_ANALYTICS_PROPERTIES", PROPERTIES_FILE))
    table_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    # Windows of TIMESTAMP_LTZ row times are cut in the session time zone: UTC, whatever the JVM's.
    # https://nightlies.apache.org/flink/flink-docs-release-1.20/docs/dev/table/timezone/
    table_env.get_config().set_local_timezone("UTC")
    table_env.execute_sql(source_ddl(properties))
    table_env.execute_sql(sink_ddl(properties))
    table_env.execute_sql(statistics_sql(window_seconds(properties)))


if __name__ == "__main__":
    main()
