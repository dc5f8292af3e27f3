"""Unit tests of the pure functions of app/main.py (run by test/examples/stream-analytics.test.ts)."""
import json
import os
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
        self.assertIn("WATERMARK FOR event_time", ddl)
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


if __name__ == "__main__":
    unittest.main()
