import { Duration, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { check, checkInteger, checkLength } from '../core/validation';

/** One step of a lifecycle waterfall: objects move to `storageClass` after `days`. */
export interface Tier {
  /**
   * The storage class the objects move to.
   *
   * One of `INFREQUENT_ACCESS` (STANDARD_IA), `ONE_ZONE_INFREQUENT_ACCESS` (ONEZONE_IA),
   * `INTELLIGENT_TIERING`, `GLACIER_INSTANT_RETRIEVAL` (GLACIER_IR), `GLACIER` (Glacier Flexible
   * Retrieval) or `DEEP_ARCHIVE`. STANDARD is where objects start; nothing transitions back to it.
   */
  readonly storageClass: s3.StorageClass;
  /**
   * Days after the object was created (current versions) or became noncurrent (noncurrent versions).
   */
  readonly days: number;
}

/** One lifecycle rule: which objects it applies to and what happens to them when. */
export interface TieringRule {
  /** The rule's id, unique within the bucket (at most 255 characters). */
  readonly id: string;
  /**
   * Apply the rule only to keys that start with this prefix.
   *
   * @default - every object in the bucket
   */
  readonly prefix?: string;
  /**
   * Apply the rule only to objects that carry all these tags.
   *
   * @default - no tag filter
   */
  readonly tags?: Record<string, string>;
  /**
   * Apply the rule only to objects larger than this many bytes.
   *
   * @default - the bucket's `transitionDefaultMinimumObjectSize` decides which small objects are skipped
   */
  readonly objectSizeGreaterThan?: number;
  /**
   * Apply the rule only to objects smaller than this many bytes.
   *
   * @default - no upper bound
   */
  readonly objectSizeLessThan?: number;
  /**
   * Where current versions go, in order, as they age.
   *
   * @default - current versions stay in STANDARD
   */
  readonly transitions?: Tier[];
  /**
   * Delete current versions (in a versioned bucket: add a delete marker) this many days after creation.
   *
   * @default - current versions never expire
   */
  readonly expirationDays?: number;
  /**
   * Where noncurrent versions go, in order, as they age.
   *
   * @default - noncurrent versions stay in the class they were in
   */
  readonly noncurrentTransitions?: Tier[];
  /**
   * Permanently delete noncurrent versions this many days after they became noncurrent.
   *
   * @default - noncurrent versions are kept
   */
  readonly noncurrentExpirationDays?: number;
  /**
   * Keep this many of the newest noncurrent versions even when they are old enough to expire (1–100).
   *
   * @default - every noncurrent version old enough expires
   */
  readonly noncurrentVersionsToKeep?: number;
  /**
   * Abort multipart uploads that are still incomplete after this many days. The parts of an
   * abandoned upload are billed like objects but are invisible in listings.
   *
   * @default - incomplete uploads are never aborted
   */
  readonly abortIncompleteMultipartUploadDays?: number;
}

/** A custom tiering policy: lifecycle rules and the small-object threshold. */
export interface StorageTieringOptions {
  /** The lifecycle rules (at most 1,000). */
  readonly rules: TieringRule[];
  /**
   * Which small objects lifecycle transitions skip.
   *
   * Since September 2024 S3 does not transition objects smaller than 128 KiB by default
   * (`ALL_STORAGE_CLASSES_128_K`): moving them would cost more in transition requests and minimum
   * billable size than it saves. `VARIES_BY_STORAGE_CLASS` is the older behaviour.
   *
   * @default - S3's default, ALL_STORAGE_CLASSES_128_K
   */
  readonly transitionDefaultMinimumObjectSize?: s3.TransitionDefaultMinimumObjectSize;
}

/** What a bucket needs to apply a {@link StorageTiering}. */
export interface RenderedTiering {
  /** The validated lifecycle rules. */
  readonly lifecycleRules: s3.LifecycleRule[];
  /** The small-object threshold for transitions. */
  readonly transitionDefaultMinimumObjectSize?: s3.TransitionDefaultMinimumObjectSize;
}

/** Options of the {@link StorageTiering.rawLandingThenArchive} preset. */
export interface RawLandingThenArchiveOptions {
  /**
   * Delete current versions after this many days.
   *
   * @default - raw data is kept forever (in Deep Archive) so that it can always be reprocessed
   */
  readonly expirationDays?: number;
}

/** Options of the {@link StorageTiering.complianceArchive} preset. */
export interface ComplianceArchiveOptions {
  /**
   * How long records must be kept, in days; they are deleted afterwards.
   *
   * @default 2557 (seven years)
   */
  readonly retentionDays?: number;
}

/** The six classes a lifecycle rule can move objects to, by their S3 API names. */
const STANDARD_IA = s3.StorageClass.INFREQUENT_ACCESS.value;
const ONEZONE_IA = s3.StorageClass.ONE_ZONE_INFREQUENT_ACCESS.value;
const INTELLIGENT_TIERING = s3.StorageClass.INTELLIGENT_TIERING.value;
const GLACIER_IR = s3.StorageClass.GLACIER_INSTANT_RETRIEVAL.value;
const GLACIER = s3.StorageClass.GLACIER.value;
const DEEP_ARCHIVE = s3.StorageClass.DEEP_ARCHIVE.value;
const STANDARD = 'STANDARD';

const INFREQUENT_ACCESS_CLASSES = [STANDARD_IA, ONEZONE_IA];
/**
 * Classes that a single rule may move objects to from STANDARD_IA or ONEZONE_IA only 30 days or
 * more after the move into the infrequent-access class (S3 rejects the rule otherwise).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html#lifecycle-configuration-constraints
 */
const LEAVE_INFREQUENT_ACCESS_AFTER_30_DAYS = [GLACIER, DEEP_ARCHIVE, ONEZONE_IA];

/**
 * The supported transitions (the "waterfall"): each class and the classes it can move on to.
 * Nothing moves back to STANDARD, INTELLIGENT_TIERING cannot move to STANDARD_IA, and ONEZONE_IA
 * can only move on to the two archive classes.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html
 */
const NEXT_CLASSES: Record<string, string[]> = {
  [STANDARD]: [STANDARD_IA, INTELLIGENT_TIERING, ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE],
  [STANDARD_IA]: [INTELLIGENT_TIERING, ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE],
  [INTELLIGENT_TIERING]: [ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE],
  [ONEZONE_IA]: [GLACIER, DEEP_ARCHIVE],
  [GLACIER_IR]: [GLACIER, DEEP_ARCHIVE],
  [GLACIER]: [DEEP_ARCHIVE],
  [DEEP_ARCHIVE]: [],
};

/**
 * Days each class bills at least: an object deleted or moved earlier is charged for the rest.
 * INTELLIGENT_TIERING has no minimum.
 *
 * @see https://aws.amazon.com/s3/storage-classes/
 */
const MINIMUM_STORAGE_DAYS: Record<string, number> = {
  [STANDARD_IA]: 30,
  [ONEZONE_IA]: 30,
  [GLACIER_IR]: 90,
  [GLACIER]: 90,
  [DEEP_ARCHIVE]: 180,
};

/** S3 requires objects to be this old before they move to an infrequent-access class. */
const INFREQUENT_ACCESS_MINIMUM_DAYS = 30;
/** Objects smaller than this are billed as this size in STANDARD_IA, ONEZONE_IA and GLACIER_IR. */
const MINIMUM_BILLABLE_OBJECT_BYTES = 128 * 1024;
/** The largest S3 object: 5 TiB. */
const MAX_OBJECT_BYTES = 5 * 1024 ** 4;

const ABORT_INCOMPLETE_UPLOADS_DAYS = 7;

/**
 * A validated S3 lifecycle policy: when objects move between storage classes and when they expire.
 *
 * S3 storage classes trade storage price against access price and latency. STANDARD (milliseconds,
 * three or more Availability Zones) suits data read often; STANDARD_IA and ONEZONE_IA (milliseconds,
 * cheaper storage, a per-GB retrieval fee, 30-day minimum; ONEZONE_IA in a single AZ, like S3 Express One Zone, so only for
 * data you can recreate) suit data read about once a month; INTELLIGENT_TIERING moves each object
 * between access tiers by itself for a small monitoring fee and has no retrieval fees; GLACIER_IR
 * (milliseconds, 90-day minimum) suits data read about once a quarter; GLACIER (Flexible Retrieval,
 * minutes to hours) and DEEP_ARCHIVE (Standard restores within 12 hours, Bulk within 48; 180-day minimum) are archives that must be
 * restored before they can be read. The notes call the archive class "Amazon Glacier": it is now
 * the S3 Glacier Flexible Retrieval storage class, reached through S3 lifecycle rules.
 *
 * Choose a preset, or write rules with {@link StorageTiering.custom}. Whatever S3 would reject
 * at deploy time is rejected when the policy is applied to a bucket (at synth), with a message
 * naming the bucket, the rule and the fix. Rules that S3 accepts but that cost money for nothing,
 * such as moving an object out of a class before the class's minimum storage duration, raise a
 * warning.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lifecycle-mgmt.html
 */
export class StorageTiering {
  /**
   * For data read every day, such as the analytics zone behind dashboards and feature queries.
   *
   * Current versions stay in STANDARD: for data read more than about once a month, the retrieval
   * fees of the infrequent-access classes cost more than their lower storage price saves.
   * Noncurrent versions (kept to undo an overwrite) go to STANDARD_IA after 30 days and are deleted
   * after 90.
   */
  public static frequentlyRead(): StorageTiering {
    return new StorageTiering({
      rules: [{
        id: 'frequently-read',
        noncurrentTransitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, days: 30 }],
        noncurrentExpirationDays: 90,
        abortIncompleteMultipartUploadDays: ABORT_INCOMPLETE_UPLOADS_DAYS,
      }],
    });
  }

  /**
   * For data whose access pattern is unknown or changes, such as the curated zone that training jobs
   * and analysts read at irregular times.
   *
   * Objects move to INTELLIGENT_TIERING at once. S3 then moves each object of 128 KiB or more to its
   * infrequent tier after 30 days without access and to its archive-instant tier after 90, and back
   * on the next read, with no retrieval fee; the price is a monitoring fee per object. Noncurrent
   * versions go to GLACIER_IR after 30 days and are deleted after 120 (its 90-day minimum served).
   */
  public static intelligentTiering(): StorageTiering {
    return new StorageTiering({
      rules: [{
        id: 'intelligent-tiering',
        transitions: [{ storageClass: s3.StorageClass.INTELLIGENT_TIERING, days: 0 }],
        noncurrentTransitions: [{ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, days: 30 }],
        noncurrentExpirationDays: 120,
        abortIncompleteMultipartUploadDays: ABORT_INCOMPLETE_UPLOADS_DAYS,
      }],
    });
  }

  /**
   * For raw data that is read by the first ETL runs and then kept to be reprocessed, such as the
   * raw landing zone.
   *
   * STANDARD for the first 30 days (the ETL reads it), STANDARD_IA until day 90 (an occasional
   * re-run), GLACIER_IR until day 180 (a rare backfill, still read in milliseconds), then
   * DEEP_ARCHIVE (about 1 USD per TB-month; a restore takes up to 12 hours). Each class is kept at
   * least its minimum storage duration. Noncurrent versions go to GLACIER after 30 days and are
   * deleted after 120.
   */
  public static rawLandingThenArchive(options: RawLandingThenArchiveOptions = {}): StorageTiering {
    return new StorageTiering({
      rules: [{
        id: 'raw-landing-then-archive',
        transitions: [
          { storageClass: s3.StorageClass.INFREQUENT_ACCESS, days: 30 },
          { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, days: 90 },
          { storageClass: s3.StorageClass.DEEP_ARCHIVE, days: 180 },
        ],
        expirationDays: options.expirationDays,
        noncurrentTransitions: [{ storageClass: s3.StorageClass.GLACIER, days: 30 }],
        noncurrentExpirationDays: 120,
        abortIncompleteMultipartUploadDays: ABORT_INCOMPLETE_UPLOADS_DAYS,
      }],
    });
  }

  /**
   * For records kept only because a regulation says so, and deleted when the retention ends.
   *
   * Objects go to GLACIER (Flexible Retrieval) at once and to DEEP_ARCHIVE after 90 days, the
   * cheapest storage S3 has; they expire after `retentionDays`. Noncurrent versions go to
   * DEEP_ARCHIVE after one day and expire with the same retention. To make deletion impossible
   * before the retention ends, add an Object Lock default retention to the bucket as well.
   */
  public static complianceArchive(options: ComplianceArchiveOptions = {}): StorageTiering {
    const retentionDays = options.retentionDays ?? 2557;
    return new StorageTiering({
      rules: [{
        id: 'compliance-archive',
        transitions: [
          { storageClass: s3.StorageClass.GLACIER, days: 0 },
          { storageClass: s3.StorageClass.DEEP_ARCHIVE, days: 90 },
        ],
        expirationDays: retentionDays,
        noncurrentTransitions: [{ storageClass: s3.StorageClass.DEEP_ARCHIVE, days: 1 }],
        noncurrentExpirationDays: retentionDays,
        abortIncompleteMultipartUploadDays: ABORT_INCOMPLETE_UPLOADS_DAYS,
      }],
    });
  }

  /** Your own lifecycle rules, validated like the presets. */
  public static custom(options: StorageTieringOptions): StorageTiering {
    return new StorageTiering(options);
  }

  /** The lifecycle rules of this policy, as given. */
  public readonly rules: TieringRule[];
  /** The small-object threshold of this policy, as given. */
  public readonly transitionDefaultMinimumObjectSize?: s3.TransitionDefaultMinimumObjectSize;

  private constructor(options: StorageTieringOptions) {
    this.rules = options.rules;
    this.transitionDefaultMinimumObjectSize = options.transitionDefaultMinimumObjectSize;
  }

  /** The storage classes (S3 API names) that this policy moves objects to, current or noncurrent. */
  public get storageClasses(): string[] {
    const classes = this.rules.flatMap(rule => [...rule.transitions ?? [], ...rule.noncurrentTransitions ?? []])
      .map(tier => tier.storageClass.value);
    return [...new Set(classes)];
  }

  /**
   * Validates the policy for the bucket `scope` and renders its lifecycle configuration.
   *
   * @param scope the bucket (or the construct that owns it), named in error messages
   * @param prop the name of the prop that carried this policy, used in error messages
   * @throws PropValidationError for anything S3 would reject
   */
  public render(scope: IConstruct, prop: string): RenderedTiering {
    checkInteger(scope, `${prop}.rules.length`, this.rules.length, { min: 1, max: 1000, why: 'S3 allows up to 1,000 lifecycle rules per bucket' });
    const ids = new Set<string>();
    this.rules.forEach((rule, index) => {
      const at = `${prop}.rules[${index}]`;
      check(!ids.has(rule.id), scope, `${at}.id`, rule.id, 'must be unique within the bucket');
      ids.add(rule.id);
      validateRule(scope, at, rule);
      warnAboutCostlyRule(scope, at, rule, this.transitionDefaultMinimumObjectSize);
    });
    return {
      lifecycleRules: this.rules.map(toLifecycleRule),
      transitionDefaultMinimumObjectSize: this.transitionDefaultMinimumObjectSize,
    };
  }
}

function validateRule(scope: IConstruct, at: string, rule: TieringRule): void {
  check(rule.id.length >= 1 && rule.id.length <= 255, scope, `${at}.id`, rule.id, 'must be 1 to 255 characters long');
  validateHasAction(scope, at, rule);
  validatePrefixAndTags(scope, at, rule);
  validateObjectSizeFilter(scope, at, rule);
  validateWaterfall(scope, `${at}.transitions`, rule.transitions ?? [], 0);
  validateWaterfall(scope, `${at}.noncurrentTransitions`, rule.noncurrentTransitions ?? [], 1);
  validateExpiration(scope, `${at}.expirationDays`, rule.expirationDays, rule.transitions ?? []);
  validateExpiration(scope, `${at}.noncurrentExpirationDays`, rule.noncurrentExpirationDays, rule.noncurrentTransitions ?? []);
  if (rule.noncurrentVersionsToKeep !== undefined) {
    checkInteger(scope, `${at}.noncurrentVersionsToKeep`, rule.noncurrentVersionsToKeep, { min: 1, max: 100, why: 'S3 keeps at most 100 newer noncurrent versions' });
    check(rule.noncurrentExpirationDays !== undefined, scope, `${at}.noncurrentVersionsToKeep`, rule.noncurrentVersionsToKeep,
      'only applies together with `noncurrentExpirationDays`');
  }
  if (rule.abortIncompleteMultipartUploadDays !== undefined) {
    checkInteger(scope, `${at}.abortIncompleteMultipartUploadDays`, rule.abortIncompleteMultipartUploadDays, { min: 1 });
  }
}

/**
 * S3 rejects a rule without any action.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html
 */
function validateHasAction(scope: IConstruct, at: string, rule: TieringRule): void {
  const hasAction = (rule.transitions?.length ?? 0) > 0 || rule.expirationDays !== undefined
    || (rule.noncurrentTransitions?.length ?? 0) > 0 || rule.noncurrentExpirationDays !== undefined
    || rule.abortIncompleteMultipartUploadDays !== undefined;
  check(hasAction, scope, at, rule.id,
    'must have at least one action (transitions, expirationDays, noncurrentTransitions, noncurrentExpirationDays or abortIncompleteMultipartUploadDays)');
}

/**
 * The prefix is the start of an object key, at most 1,024 bytes of UTF-8; a tag filter matches
 * object tags, whose keys have 1 to 128 and values 0 to 256 characters. S3 rejects an
 * `AbortIncompleteMultipartUpload` action in a rule that filters on tags (uploads have no tags).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html (key names: 1,024 bytes)
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html (tag keys 128, values 256 characters)
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html (no AbortIncompleteMultipartUpload with a tag filter)
 */
function validatePrefixAndTags(scope: IConstruct, at: string, rule: TieringRule): void {
  if (rule.prefix !== undefined) {
    const bytes = Buffer.byteLength(rule.prefix, 'utf8');
    check(bytes <= 1024, scope, `${at}.prefix`, rule.prefix, `must be at most 1024 bytes of UTF-8 (an S3 key prefix), not ${bytes}`);
  }
  const tags = Object.entries(rule.tags ?? {});
  tags.forEach(([key, value]) => {
    checkLength(scope, `${at}.tags key`, key, { min: 1, max: 128, why: 'S3 object tag keys' });
    checkLength(scope, `${at}.tags.${key}`, value, { max: 256, why: 'S3 object tag values' });
  });
  check(tags.length === 0 || rule.abortIncompleteMultipartUploadDays === undefined, scope, `${at}.abortIncompleteMultipartUploadDays`,
    rule.abortIncompleteMultipartUploadDays, 'cannot be used in a rule with `tags` (S3 rejects it: multipart uploads have no tags); put it in a rule of its own');
}

/**
 * Object size filters must be within an object's possible size and leave a non-empty range.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-filters.html
 */
function validateObjectSizeFilter(scope: IConstruct, at: string, rule: TieringRule): void {
  const { objectSizeGreaterThan: above, objectSizeLessThan: below } = rule;
  if (above !== undefined) {
    checkInteger(scope, `${at}.objectSizeGreaterThan`, above, { min: 0, max: MAX_OBJECT_BYTES - 1, why: 'bytes; S3 objects are at most 5 TiB' });
  }
  if (below !== undefined) {
    checkInteger(scope, `${at}.objectSizeLessThan`, below, { min: 1, max: MAX_OBJECT_BYTES, why: 'bytes; S3 objects are at most 5 TiB' });
  }
  if (above !== undefined && below !== undefined) {
    check(below > above, scope, `${at}.objectSizeLessThan`, below, `must be greater than \`objectSizeGreaterThan\` (${above})`);
  }
}

/**
 * Checks one list of transitions against the rules S3 enforces: known target classes in the
 * supported order, whole days that increase, 30 days before an infrequent-access class, and 30
 * days in an infrequent-access class before GLACIER, DEEP_ARCHIVE or ONEZONE_IA.
 *
 * @param minDays the smallest day count S3 accepts for this kind of transition
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html
 */
function validateWaterfall(scope: IConstruct, at: string, tiers: Tier[], minDays: number): void {
  let previous: { readonly storageClass: string; readonly days: number } = { storageClass: STANDARD, days: -1 };
  tiers.forEach((tier, index) => {
    const here = `${at}[${index}]`;
    const target = tier.storageClass.value;
    check(target in NEXT_CLASSES && target !== STANDARD, scope, `${here}.storageClass`, target,
      `must be one of ${NEXT_CLASSES[STANDARD].join(', ')} (objects start in STANDARD and never transition back to it)`);
    check(NEXT_CLASSES[previous.storageClass].includes(target), scope, `${here}.storageClass`, target,
      `cannot follow ${previous.storageClass}: S3 supports ${previous.storageClass} → ${describeList(NEXT_CLASSES[previous.storageClass])}`);
    checkInteger(scope, `${here}.days`, tier.days, { min: minDays });
    check(tier.days > previous.days, scope, `${here}.days`, tier.days,
      `must be greater than the previous transition's ${previous.days} days (transitions run in order)`);
    if (INFREQUENT_ACCESS_CLASSES.includes(target)) {
      check(tier.days >= INFREQUENT_ACCESS_MINIMUM_DAYS, scope, `${here}.days`, tier.days,
        `must be at least ${INFREQUENT_ACCESS_MINIMUM_DAYS} for ${target} (S3 rejects earlier transitions to an infrequent-access class)`);
    }
    if (INFREQUENT_ACCESS_CLASSES.includes(previous.storageClass) && LEAVE_INFREQUENT_ACCESS_AFTER_30_DAYS.includes(target)) {
      check(tier.days - previous.days >= INFREQUENT_ACCESS_MINIMUM_DAYS, scope, `${here}.days`, tier.days,
        `must be at least ${previous.days + INFREQUENT_ACCESS_MINIMUM_DAYS}: S3 requires objects to stay ${INFREQUENT_ACCESS_MINIMUM_DAYS} days in ${previous.storageClass} before moving to ${target}`);
    }
    previous = { storageClass: target, days: tier.days };
  });
}

/**
 * An expiration must come after every transition of the same kind (current or noncurrent).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-configuration-examples.html
 */
function validateExpiration(scope: IConstruct, prop: string, days: number | undefined, tiers: Tier[]): void {
  if (days === undefined) {
    return;
  }
  checkInteger(scope, prop, days, { min: 1 });
  const last = tiers[tiers.length - 1];
  if (last) {
    check(days > last.days, scope, prop, days,
      `must be greater than the last transition's ${last.days} days (to ${last.storageClass.value}): S3 rejects an expiration before or on the day of a transition`);
  }
}

/**
 * Warns where S3 accepts a rule that costs money for nothing: objects that leave a class (by a
 * transition or an expiration) before its minimum storage duration are billed for the full
 * duration anyway, and small objects are billed at a minimum size (128 KiB in STANDARD_IA,
 * ONEZONE_IA and GLACIER_IR; 40 KiB in GLACIER and DEEP_ARCHIVE) on top of a per-object
 * transition request.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-class-intro.html#sc-compare
 */
function warnAboutCostlyRule(scope: IConstruct, at: string, rule: TieringRule,
  threshold: s3.TransitionDefaultMinimumObjectSize | undefined): void {
  warnAboutEarlyExits(scope, `${at}.transitions`, rule.transitions ?? [], rule.expirationDays);
  warnAboutEarlyExits(scope, `${at}.noncurrentTransitions`, rule.noncurrentTransitions ?? [], rule.noncurrentExpirationDays);
  const targets = (rule.transitions ?? []).map(tier => tier.storageClass.value);
  const billedAs128K = targets.find(target => [...INFREQUENT_ACCESS_CLASSES, GLACIER_IR].includes(target));
  if (billedAs128K && rule.objectSizeGreaterThan !== undefined && rule.objectSizeGreaterThan < MINIMUM_BILLABLE_OBJECT_BYTES) {
    Validations.of(scope).addWarning('tiering-small-objects',
      `${at}.objectSizeGreaterThan (${rule.objectSizeGreaterThan}) lets objects under 128 KiB move to ${billedAs128K}, which bills `
      + 'each of them as 128 KiB: filters take precedence over the 128 KiB default, so raise it to 131072 or remove it');
  }
  const archive = targets.find(target => target === GLACIER || target === DEEP_ARCHIVE);
  if (archive && rule.objectSizeGreaterThan === undefined && threshold === s3.TransitionDefaultMinimumObjectSize.VARIES_BY_STORAGE_CLASS) {
    Validations.of(scope).addWarning('tiering-small-objects',
      `${at} archives objects of any size to ${archive} (transitionDefaultMinimumObjectSize is VARIES_BY_STORAGE_CLASS): each object `
      + 'bills at least 40 KiB plus a transition request; keep the default threshold or set `objectSizeGreaterThan: 131072`');
  }
}

function warnAboutEarlyExits(scope: IConstruct, at: string, tiers: Tier[], expirationDays: number | undefined): void {
  tiers.forEach((tier, index) => {
    const storageClass = tier.storageClass.value;
    const minimum = MINIMUM_STORAGE_DAYS[storageClass];
    const leavesOn = tiers[index + 1]?.days ?? expirationDays;
    if (minimum === undefined || leavesOn === undefined || leavesOn - tier.days >= minimum) {
      return;
    }
    const how = index + 1 < tiers.length ? `moves on to ${tiers[index + 1].storageClass.value}` : 'expires';
    Validations.of(scope).addWarning('tiering-minimum-storage-duration',
      `${at}[${index}] keeps objects in ${storageClass} for ${leavesOn - tier.days} days before it ${how}, `
      + `but ${storageClass} bills at least ${minimum} days: the early exit is charged as if the objects had stayed`);
  });
}

function toLifecycleRule(rule: TieringRule): s3.LifecycleRule {
  const days = (value: number | undefined) => value === undefined ? undefined : Duration.days(value);
  return {
    id: rule.id,
    prefix: rule.prefix,
    tagFilters: rule.tags,
    objectSizeGreaterThan: rule.objectSizeGreaterThan,
    objectSizeLessThan: rule.objectSizeLessThan,
    transitions: rule.transitions?.map(tier => ({ storageClass: tier.storageClass, transitionAfter: Duration.days(tier.days) })),
    expiration: days(rule.expirationDays),
    noncurrentVersionTransitions: rule.noncurrentTransitions?.map(tier => ({
      storageClass: tier.storageClass,
      transitionAfter: Duration.days(tier.days),
    })),
    noncurrentVersionExpiration: days(rule.noncurrentExpirationDays),
    noncurrentVersionsToRetain: rule.noncurrentVersionsToKeep,
    abortIncompleteMultipartUploadAfter: days(rule.abortIncompleteMultipartUploadDays),
  };
}

function describeList(values: string[]): string {
  return values.length === 0 ? 'nothing (it is the last class)' : values.join(', ');
}
