"""Unit tests of the pure rules of the curate-orders Glue job (no Spark needed).

Run by test/examples/glue-etl.test.ts with python3 -m unittest.
"""
import json
import os
import sys
import unittest

SCRIPTS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "glue-etl", "scripts")
sys.path.insert(0, os.path.join(SCRIPTS, "modules"))

import order_transforms as t  # noqa: E402


class StandardizeTest(unittest.TestCase):
    def test_trims_and_normalizes_case_and_vocabulary(self):
        record = t.standardize({"order_id": " o-1 ", "customer_email": " Ada@Example.COM ", "country": "gb",
                                "amount": "1,250.505", "currency": "gbp", "status": "Dispatched",
                                "updated_at": "2024-05-01T10:00:00+02:00"})
        self.assertEqual(record, {"order_id": "o-1", "customer_email": "ada@example.com", "country": "GB",
                                  "amount": 1250.51, "currency": "GBP", "status": "shipped",
                                  "updated_at": "2024-05-01T08:00:00Z", "year": "2024", "month": "05", "day": "01"})

    def test_fills_missing_optional_attributes_with_defaults(self):
        record = t.standardize({"order_id": "o-2", "customer_email": "  ", "country": None, "amount": "n/a",
                                "updated_at": "2024-12-31"})
        self.assertEqual((record["customer_email"], record["country"], record["amount"], record["currency"], record["status"]),
                         (None, "UNKNOWN", 0.0, "USD", "unknown"))
        self.assertEqual((record["year"], record["month"], record["day"]), ("2024", "12", "31"))

    def test_unknown_status_is_unknown(self):
        self.assertEqual(t.standardize({"order_id": "o", "status": "lost in space", "updated_at": "2024-01-01"})["status"], "unknown")

    def test_drops_records_without_key_or_event_time(self):
        self.assertIsNone(t.standardize({"order_id": "", "updated_at": "2024-01-01"}))
        self.assertIsNone(t.standardize({"updated_at": "2024-01-01"}))
        self.assertIsNone(t.standardize({"order_id": "o-3", "updated_at": "yesterday"}))
        self.assertIsNone(t.standardize({"order_id": "o-3"}))

    def test_epoch_seconds_as_number_or_text(self):
        self.assertEqual(t.parse_timestamp(1714560000), "2024-05-01T10:40:00Z")
        self.assertEqual(t.parse_timestamp("1714560000"), "2024-05-01T10:40:00Z")
        self.assertIsNone(t.parse_timestamp(True))

    def test_amounts(self):
        self.assertEqual(t.parse_amount(" 12.3 USD "), 12.3)
        self.assertEqual(t.parse_amount(7), 7.0)
        self.assertIsNone(t.parse_amount(""))
        self.assertIsNone(t.parse_amount(False))


class DeduplicateTest(unittest.TestCase):
    def test_keeps_the_latest_update_of_each_order(self):
        early = t.standardize({"order_id": "o-1", "status": "placed", "updated_at": "2024-05-01T10:00:00Z"})
        late = t.standardize({"order_id": "o-1", "status": "paid", "updated_at": "2024-05-01T10:05:00Z"})
        self.assertEqual(t.deduplicate([early, late]), [late])
        self.assertEqual(t.deduplicate([late, early]), [late])

    def test_ties_are_broken_the_same_way_whatever_the_order(self):
        sparse = t.standardize({"order_id": "o-1", "updated_at": "2024-05-01"})
        full = t.standardize({"order_id": "o-1", "customer_email": "a@b.c", "country": "FR", "amount": 3, "currency": "EUR",
                              "status": "paid", "updated_at": "2024-05-01"})
        self.assertEqual(t.latest(sparse, full), full)
        self.assertEqual(t.latest(full, sparse), full)

    def test_is_associative_and_commutative_as_reduceByKey_needs(self):
        a = t.standardize({"order_id": "o", "amount": 1, "updated_at": "2024-05-01"})
        b = t.standardize({"order_id": "o", "amount": 2, "updated_at": "2024-05-01"})
        c = t.standardize({"order_id": "o", "amount": 1, "updated_at": "2024-05-02"})
        self.assertEqual(t.latest(t.latest(a, b), c), t.latest(a, t.latest(b, c)))
        self.assertEqual(t.latest(a, b), t.latest(b, a))


class SampleFileTest(unittest.TestCase):
    def test_the_demo_sample_curates_to_two_orders(self):
        with open(os.path.join(SCRIPTS, "sample-orders.json"), encoding="utf-8") as sample:
            records = [json.loads(line) for line in sample if line.strip()]
        curated = t.curate(records)
        self.assertEqual([r["order_id"] for r in curated], ["o-1001", "o-1002"])
        self.assertEqual(curated[0]["status"], "paid")
        self.assertEqual(curated[1]["amount"], 1250.0)
        self.assertEqual(list(curated[0].keys()), [name for name, _ in t.CURATED_COLUMNS])


if __name__ == "__main__":
    unittest.main()
