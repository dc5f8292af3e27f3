"""Unit tests of the pure functions of feature_engineering.py (no PySpark needed): python3 -m unittest."""
import math
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import feature_engineering as fe  # noqa: E402


class ParseArgs(unittest.TestCase):
    def test_defaults(self):
        args = fe.parse_args(['--input', 's3://raw/events/', '--output', 's3://analytics/features/'])
        self.assertEqual(args.input, 's3://raw/events/')
        self.assertEqual(args.output, 's3://analytics/features/')
        self.assertEqual(args.format, 'json')
        self.assertEqual(args.amount_buckets, (10.0, 100.0, 1000.0))

    def test_s3a_scheme_rewrites_both_uris(self):
        args = fe.parse_args(['--input', 's3://raw/e/', '--output', 's3n://out/f/', '--s3-scheme', 's3a', '--format', 'parquet'])
        self.assertEqual((args.input, args.output, args.format), ('s3a://raw/e/', 's3a://out/f/', 'parquet'))

    def test_missing_output_exits(self):
        with self.assertRaises(SystemExit):
            fe.parse_args(['--input', 's3://raw/'])

    def test_unknown_format_exits(self):
        with self.assertRaises(SystemExit):
            fe.parse_args(['--input', 's3://raw/', '--output', 's3://out/', '--format', 'csv'])


class EngineUri(unittest.TestCase):
    def test_rewrites_scheme(self):
        self.assertEqual(fe.engine_uri('s3a://b/p/', 's3'), 's3://b/p/')
        self.assertEqual(fe.engine_uri('s3://b/p/', 's3a'), 's3a://b/p/')

    def test_rejects_other_schemes_and_missing_buckets(self):
        for uri in ['', 'bucket/prefix', 'https://b/p', 's3:///p', 's3://']:
            with self.assertRaises(ValueError, msg=uri):
                fe.engine_uri(uri, 's3')
        with self.assertRaises(ValueError):
            fe.engine_uri('s3://b/', 'gs')


class Buckets(unittest.TestCase):
    def test_parse(self):
        self.assertEqual(fe.parse_buckets('5, 50,500'), (5.0, 50.0, 500.0))
        for bad in ['', 'a,b', '10,5', '0,10', '-1', 'nan', 'inf', '10,10']:
            with self.assertRaises(ValueError, msg=bad):
                fe.parse_buckets(bad)

    def test_labels(self):
        self.assertEqual(fe.bucket_labels((10.0, 100.0, 1000.0)), ['lt_10', 'lt_100', 'lt_1000', 'ge_1000'])
        self.assertEqual(fe.bucket_labels((2.5,)), ['lt_2_5', 'ge_2_5'])

    def test_amount_bucket_edges(self):
        bounds = (10.0, 100.0)
        self.assertEqual(fe.amount_bucket(-3, bounds), 'lt_10')
        self.assertEqual(fe.amount_bucket(9.99, bounds), 'lt_10')
        self.assertEqual(fe.amount_bucket(10, bounds), 'lt_100')
        self.assertEqual(fe.amount_bucket(100, bounds), 'ge_100')
        self.assertIsNone(fe.amount_bucket(None, bounds))


class LogAmount(unittest.TestCase):
    def test_signed_log1p(self):
        self.assertEqual(fe.log_amount(0), 0)
        self.assertAlmostEqual(fe.log_amount(math.e - 1), 1.0)
        self.assertAlmostEqual(fe.log_amount(-(math.e - 1)), -1.0)
        self.assertIsNone(fe.log_amount(None))


if __name__ == '__main__':
    unittest.main()
