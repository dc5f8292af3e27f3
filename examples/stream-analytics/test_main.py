"""Unit tests of the pure functions of app/main.py (run by test/examples/stream-analytics.test.ts).

`ProducerContractTest` reads the records the demo producer sends (examples/streaming-ingestion/
producer.ts) from the JSON file named by DEMO_RECORDS, which the Jest test writes.
"""
import json
import os
import re
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "app"))
import main  # noqa: E402  pylint: disable=wrong-import-position

PROPERTIES = {
    "input.stream.arn": "arn:aws:kinesis:eu-west-1:111122223333:stream/events",
    "output.stream.arn": "arn:aws:kinesis:eu-west-1:111122223333:stream/stats",
    "aws.region": "eu-west-1",
}


class ReadPropertiesTest(unittest.TestCase):
    def write(self, groups):
        handle = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8")
        json.dump(groups, handle)
        handle.close()
        self.addCleanup(os.remove, handle.name)
        return handle.name

    def test_reads_the_group_in_the_managed_flink_format(self):
        path = self.write([
            {"PropertyGroupId": "kinesis.analytics.flink.run.options", "PropertyMap": {"python": "main.py"}},
            {"PropertyGroupId": "StreamAnalytics", "PropertyMap": PROPERTIES},
        ])
        self.assertEqual(main.read_properties(path), PROPERTIES)

    def test_a_missing_group_or_property_fails_with_its_name(self):
        with self.assertRaisesRegex(ValueError, "property group StreamAnalytics is missing"):
            main.read_properties(self.write([]))
        with self.assertRaisesRegex(ValueError, "missing runtime properties: output.stream.arn, aws.region"):
            main.check_properties({"input.stream.arn": "arn", "aws.region": ""})


class SqlTest(unittest.TestCase):
    def test_source_reads_the_input_stream_from_the_latest_record_by_default(self):
        ddl = main.source_ddl(PROPERTIES)
        self.assertIn("'stream.arn' = 'arn:aws:kinesis:eu-west-1:111122223333:stream/events'", ddl)
        self.assertIn("'source.init.position' = 'LATEST'", ddl)
        self.assertIn("WATERMARK FOR rowtime", ddl)
        self.assertIn("'source.init.position' = 'TRIM_HORIZON'", main.source_ddl({**PROPERTIES, "source.init.position": "TRIM_HORIZON"}))

    def test_sink_writes_the_output_stream(self):
        self.assertIn("'stream.arn' = 'arn:aws:kinesis:eu-west-1:111122223333:stream/stats'", main.sink_ddl(PROPERTIES))

    def test_quotes_are_escaped(self):
        self.assertEqual(main.quote("it's"), "'it''s'")

    def test_windows_default_to_a_minute_and_must_be_positive(self):
        self.assertEqual(main.window_seconds({}), 60)
        self.assertEqual(main.window_seconds({"window.seconds": "300"}), 300)
        with self.assertRaisesRegex(ValueError, "window.seconds must be a positive whole number, got 0"):
            main.window_seconds({"window.seconds": "0"})
        self.assertIn("INTERVAL '300' SECOND", main.statistics_sql(300))
        self.assertIn("GROUP BY window_start, window_end, event_type", main.statistics_sql(60))


# How Flink's JSON format reads timestamps with 'json.timestamp-format.standard' = 'ISO-8601'
# (TimeFormats in flink-json): a TIMESTAMP column with DateTimeFormatter.ISO_LOCAL_DATE_TIME, a
# TIMESTAMP_LTZ column with ISO_LOCAL_DATE 'T' ISO_LOCAL_TIME followed by a literal Z, each over the
# whole text. Under 'json.ignore-parse-errors' a value that does not parse becomes null.
_LOCAL_DATE_TIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?"
FLINK_ISO8601 = {
    "TIMESTAMP": re.compile(_LOCAL_DATE_TIME + r"\Z"),
    "TIMESTAMP_LTZ": re.compile(_LOCAL_DATE_TIME + r"Z\Z"),
}


def flink_reads(column_type, value):
    """Whether Flink's JSON format reads `value` into a column of `column_type` (else: null)."""
    return isinstance(value, str) and FLINK_ISO8601[column_type].match(value) is not None


def column_type(ddl, name):
    """The type of column `name` in a CREATE TABLE statement, without its precision."""
    match = re.search(rf"^\s*`?{name}`?\s+([A-Z_]+)", ddl, re.MULTILINE)
    if not match:
        raise AssertionError(f"no column {name} in {ddl}")
    return match.group(1)


class FlinkIso8601Test(unittest.TestCase):
    def test_the_rule_the_contract_relies_on(self):
        self.assertTrue(flink_reads("TIMESTAMP", "2020-12-30T12:13:14.123"))
        self.assertFalse(flink_reads("TIMESTAMP", "2020-12-30T12:13:14.123Z"))
        self.assertTrue(flink_reads("TIMESTAMP_LTZ", "2020-12-30T12:13:14.123Z"))
        self.assertFalse(flink_reads("TIMESTAMP_LTZ", "2020-12-30T12:13:14.123"))
        self.assertFalse(flink_reads("TIMESTAMP_LTZ", None))


@unittest.skipUnless(os.environ.get("DEMO_RECORDS"), "needs DEMO_RECORDS, the producer's records (written by the Jest test)")
class ProducerContractTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(os.environ["DEMO_RECORDS"], encoding="utf-8") as handle:
            cls.bodies = json.load(handle)

    def events(self):
        """The records Flink can parse at all: a malformed one is skipped whole (ignore-parse-errors)."""
        events = []
        for body in self.bodies:
            try:
                events.append(json.loads(body))
            except json.JSONDecodeError:
                continue
        return events

    def test_the_producer_sends_well_formed_and_malformed_records(self):
        self.assertGreater(len(self.events()), 0)
        self.assertLess(len(self.events()), len(self.bodies))

    def test_flink_reads_the_event_time_of_every_record_the_producer_sends(self):
        declared = column_type(main.source_ddl(PROPERTIES), "event_time")
        self.assertEqual(declared, "TIMESTAMP_LTZ")
        unread = [event["event_time"] for event in self.events() if not flink_reads(declared, event.get("event_time"))]
        self.assertEqual(unread, [])

    def test_a_timestamp_column_would_read_none_of_them(self):
        # What the table declared before: every row time null, the job failing in a restart loop.
        self.assertEqual([e for e in self.events() if flink_reads("TIMESTAMP", e.get("event_time"))], [])

    def test_the_row_time_is_never_null_and_unreadable_times_stay_out_of_the_statistics(self):
        ddl = main.source_ddl(PROPERTIES)
        self.assertIn("rowtime AS COALESCE(event_time, TO_TIMESTAMP_LTZ(0, 3))", ddl)
        self.assertIn("WATERMARK FOR rowtime AS rowtime - INTERVAL '10' SECOND", ddl)
        sql = main.statistics_sql(60)
        self.assertIn("DESCRIPTOR(rowtime)", sql)
        self.assertIn("event_time IS NOT NULL", sql)

    def test_the_output_writes_instants_as_the_input_does(self):
        sink = main.sink_ddl(PROPERTIES)
        self.assertEqual(column_type(sink, "window_start"), "TIMESTAMP_LTZ")
        self.assertEqual(column_type(sink, "window_end"), "TIMESTAMP_LTZ")


if __name__ == "__main__":
    unittest.main()
