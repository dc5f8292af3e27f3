"""Pure transformation rules of the curate-orders Glue job.

Everything here works on plain Python values (dicts, strings, numbers), with no Spark import,
so that the rules can be unit-tested with python3 alone. The Spark job
(`curate_orders.py`) applies them to every record of the raw zone.

The rules, in the order the job applies them:

1. standardize: trim strings, lower-case e-mail addresses, upper-case ISO country and currency
   codes, map status synonyms to one vocabulary, parse amounts and timestamps;
2. handle missing values: drop a record without its key (`order_id`) or its event time
   (`updated_at`), because it can be neither deduplicated nor partitioned; fill the optional
   attributes with documented defaults;
3. deduplicate: of all records with the same `order_id`, keep the one updated last (ties go to
   the record with more attributes filled in, then to the larger amount, and so on, so that the
   result does not depend on the order Spark sees them in);
4. partition: derive `year`, `month` and `day` from `updated_at` for Hive-style partitions.
"""
from datetime import datetime, timezone

#: Columns of the curated table, in order, with their types (Spark SQL names).
CURATED_COLUMNS = [
    ("order_id", "string"),
    ("customer_email", "string"),
    ("country", "string"),
    ("amount", "double"),
    ("currency", "string"),
    ("status", "string"),
    ("updated_at", "string"),
    ("year", "string"),
    ("month", "string"),
    ("day", "string"),
]

#: The partition columns, in order.
PARTITION_KEYS = ["year", "month", "day"]

#: Values given to optional attributes that are missing or blank.
DEFAULTS = {
    "customer_email": None,
    "country": "UNKNOWN",
    "amount": 0.0,
    "currency": "USD",
    "status": "unknown",
}

#: Synonyms sources use for the same order status.
STATUS_SYNONYMS = {
    "new": "created",
    "created": "created",
    "placed": "created",
    "paid": "paid",
    "payed": "paid",
    "complete": "paid",
    "completed": "paid",
    "shipped": "shipped",
    "dispatched": "shipped",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "refunded": "refunded",
}

_TIMESTAMP_FORMATS = ["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]


def blank_to_none(value):
    """Strips strings; returns None for None, empty and whitespace-only strings."""
    if value is None:
        return None
    if isinstance(value, str):
        stripped = value.strip()
        return stripped if stripped else None
    return value


def parse_timestamp(value):
    """Parses ISO-8601 text or epoch seconds into an ISO-8601 UTC string; None if unparseable."""
    value = blank_to_none(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        parsed = datetime.fromtimestamp(value, tz=timezone.utc)
    elif _is_number(value):
        parsed = datetime.fromtimestamp(float(value), tz=timezone.utc)
    else:
        text = value.replace("Z", "+00:00")
        parsed = None
        for fmt in _TIMESTAMP_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if parsed is None:
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def parse_amount(value):
    """Parses a number, or text such as '1,234.50' or '12.3 USD'; None if it is not a number."""
    value = blank_to_none(value)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = value.replace(",", "").split()[0]
    try:
        return float(text)
    except ValueError:
        return None


def standardize(record):
    """Returns the record with every attribute standardized and defaults filled in, or None when
    the record has no `order_id` or no parseable `updated_at`."""
    order_id = blank_to_none(record.get("order_id"))
    updated_at = parse_timestamp(record.get("updated_at"))
    if order_id is None or updated_at is None:
        return None
    email = blank_to_none(record.get("customer_email"))
    country = blank_to_none(record.get("country"))
    currency = blank_to_none(record.get("currency"))
    status = blank_to_none(record.get("status"))
    amount = parse_amount(record.get("amount"))
    result = {
        "order_id": str(order_id),
        "customer_email": email.lower() if isinstance(email, str) else DEFAULTS["customer_email"],
        "country": country.upper() if isinstance(country, str) else DEFAULTS["country"],
        "amount": round(amount, 2) if amount is not None else DEFAULTS["amount"],
        "currency": currency.upper() if isinstance(currency, str) else DEFAULTS["currency"],
        "status": STATUS_SYNONYMS.get(status.lower(), "unknown") if isinstance(status, str) else DEFAULTS["status"],
        "updated_at": updated_at,
    }
    result.update(partition_values(updated_at))
    return result


def partition_values(updated_at):
    """The Hive-style partition values of an ISO-8601 UTC timestamp: year, month, day."""
    return {"year": updated_at[0:4], "month": updated_at[5:7], "day": updated_at[8:10]}


def _completeness(record):
    return sum(1 for key, default in DEFAULTS.items() if record.get(key) != default)


def latest(first, second):
    """Of two standardized records with the same order_id, the one to keep: updated last, then
    the more complete, then the larger amount, then by the remaining attributes, so that the
    result never depends on the order in which Spark sees the records."""
    def rank(record):
        return (record["updated_at"], _completeness(record), record["amount"], record["status"],
                record["country"], record["currency"], record["customer_email"] or "")
    return first if rank(first) >= rank(second) else second


def deduplicate(records):
    """Keeps one record per order_id (see `latest`). Plain-Python equivalent of the job's
    reduceByKey, used in tests."""
    kept = {}
    for record in records:
        key = record["order_id"]
        kept[key] = latest(kept[key], record) if key in kept else record
    return sorted(kept.values(), key=lambda record: record["order_id"])


def curate(records):
    """All rules on a list of raw records: standardize, drop the unusable, deduplicate."""
    standardized = [standardize(record) for record in records]
    return deduplicate([record for record in standardized if record is not None])
