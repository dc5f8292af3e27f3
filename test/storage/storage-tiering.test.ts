import { Template } from 'aws-cdk-lib/assertions';
import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { StorageTiering, TieringRule } from '../../lib';
import { newStack } from '../helpers';

const { INFREQUENT_ACCESS: STANDARD_IA, ONE_ZONE_INFREQUENT_ACCESS: ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_INSTANT_RETRIEVAL: GLACIER_IR, GLACIER, DEEP_ARCHIVE } = s3.StorageClass;

let stack: Stack;
let bucketScope: Construct;
beforeEach(() => {
  stack = newStack('Tiering');
  bucketScope = new Construct(stack, 'Bucket');
});

function render(...rules: TieringRule[]) {
  return StorageTiering.custom({ rules }).render(bucketScope, 'tiering');
}

function expectRejected(rules: TieringRule[], message: string) {
  expect(() => render(...rules)).toThrow(message);
}

/** The warnings the tiering added to the bucket (read from the construct tree: the test stack has no resources). */
function warnings(): string[] {
  return bucketScope.node.metadata.filter(entry => entry.type === 'aws:cdk:warning').map(entry => String(entry.data));
}

describe('presets', () => {
  test.each([
    ['frequentlyRead', StorageTiering.frequentlyRead(), ['STANDARD_IA']],
    ['intelligentTiering', StorageTiering.intelligentTiering(), ['INTELLIGENT_TIERING', 'GLACIER_IR']],
    ['rawLandingThenArchive', StorageTiering.rawLandingThenArchive(), ['STANDARD_IA', 'GLACIER_IR', 'DEEP_ARCHIVE', 'GLACIER']],
    ['complianceArchive', StorageTiering.complianceArchive(), ['GLACIER', 'DEEP_ARCHIVE']],
  ])('%s is valid and warns about nothing', (_name, tiering, classes) => {
    expect(() => tiering.render(bucketScope, 'tiering')).not.toThrow();
    expect(warnings()).toEqual([]);
    expect(tiering.storageClasses).toEqual(classes);
  });

  test('rawLandingThenArchive renders the documented waterfall on a bucket', () => {
    const rendered = StorageTiering.rawLandingThenArchive().render(bucketScope, 'tiering');
    new s3.Bucket(stack, 'Raw', { versioned: true, lifecycleRules: rendered.lifecycleRules });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [{
          Id: 'raw-landing-then-archive',
          Status: 'Enabled',
          Transitions: [
            { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
            { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
            { StorageClass: 'DEEP_ARCHIVE', TransitionInDays: 180 },
          ],
          NoncurrentVersionTransitions: [{ StorageClass: 'GLACIER', TransitionInDays: 30 }],
          NoncurrentVersionExpiration: { NoncurrentDays: 120 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        }],
      },
    });
  });

  test('rawLandingThenArchive can expire raw data, and warns when that is before Deep Archive\'s 180 days', () => {
    const rendered = StorageTiering.rawLandingThenArchive({ expirationDays: 200 }).render(bucketScope, 'tiering');
    expect(rendered.lifecycleRules[0].expiration?.toDays()).toBe(200);
    expect(warnings()).toEqual([expect.stringContaining('keeps objects in DEEP_ARCHIVE for 20 days before it expires, but DEEP_ARCHIVE bills at least 180 days')]);
  });

  test('complianceArchive expires after the retention, seven years by default', () => {
    expect(StorageTiering.complianceArchive().rules[0].expirationDays).toBe(2557);
    const rule = StorageTiering.complianceArchive({ retentionDays: 3650 }).render(bucketScope, 'tiering').lifecycleRules[0];
    expect(rule.expiration?.toDays()).toBe(3650);
    expect(rule.noncurrentVersionExpiration?.toDays()).toBe(3650);
  });

  test('custom keeps the small-object threshold for the bucket', () => {
    const rendered = StorageTiering.custom({
      rules: [{ id: 'r', abortIncompleteMultipartUploadDays: 1 }],
      transitionDefaultMinimumObjectSize: s3.TransitionDefaultMinimumObjectSize.VARIES_BY_STORAGE_CLASS,
    }).render(bucketScope, 'tiering');
    expect(rendered.transitionDefaultMinimumObjectSize).toBe(s3.TransitionDefaultMinimumObjectSize.VARIES_BY_STORAGE_CLASS);
  });

  test('a custom rule renders filters, noncurrent versions to keep and every action', () => {
    // S3 rejects AbortIncompleteMultipartUpload in a rule with a tag filter: it has a rule of its own.
    const [rule, uploads] = render({
      id: 'all', prefix: 'logs/', tags: { team: 'ml' }, objectSizeGreaterThan: 131072, objectSizeLessThan: 1_000_000,
      transitions: [{ storageClass: INTELLIGENT_TIERING, days: 0 }], expirationDays: 365,
      noncurrentTransitions: [{ storageClass: STANDARD_IA, days: 30 }], noncurrentExpirationDays: 60, noncurrentVersionsToKeep: 3,
    }, { id: 'uploads', prefix: 'logs/', abortIncompleteMultipartUploadDays: 2 }).lifecycleRules;
    expect(rule).toMatchObject({ id: 'all', prefix: 'logs/', tagFilters: { team: 'ml' }, objectSizeGreaterThan: 131072, objectSizeLessThan: 1_000_000, noncurrentVersionsToRetain: 3 });
    expect(rule.transitions?.[0].transitionAfter?.toDays()).toBe(0);
    expect(uploads.abortIncompleteMultipartUploadAfter?.toDays()).toBe(2);
  });
});

describe('rejects what S3 would reject, naming the bucket, the prop, the value and the rule', () => {
  test('no rules', () => {
    expectRejected([], 'Tiering/Bucket: `tiering.rules.length` must be a whole number from 1 to 1000 (S3 allows up to 1,000 lifecycle rules per bucket), got 0');
  });

  test('duplicate rule ids', () => {
    expectRejected([{ id: 'a', expirationDays: 1 }, { id: 'a', expirationDays: 2 }],
      "Tiering/Bucket: `tiering.rules[1].id` must be unique within the bucket, got 'a'");
  });

  test('rule ids longer than 255 characters', () => {
    expectRejected([{ id: 'x'.repeat(256), expirationDays: 1 }], 'Tiering/Bucket: `tiering.rules[0].id` must be 1 to 255 characters long');
  });

  test('a rule without any action', () => {
    expectRejected([{ id: 'empty', prefix: 'a/' }],
      "Tiering/Bucket: `tiering.rules[0]` must have at least one action (transitions, expirationDays, noncurrentTransitions, noncurrentExpirationDays or abortIncompleteMultipartUploadDays), got 'empty'");
  });

  test('object size filters outside an object\'s possible size or with an empty range', () => {
    expectRejected([{ id: 'r', expirationDays: 1, objectSizeGreaterThan: -1 }],
      '`tiering.rules[0].objectSizeGreaterThan` must be a whole number from 0 to 5497558138879 (bytes; S3 objects are at most 5 TiB), got -1');
    expectRejected([{ id: 'r', expirationDays: 1, objectSizeLessThan: 0 }],
      '`tiering.rules[0].objectSizeLessThan` must be a whole number from 1 to 5497558138880 (bytes; S3 objects are at most 5 TiB), got 0');
    expectRejected([{ id: 'r', expirationDays: 1, objectSizeGreaterThan: 1000, objectSizeLessThan: 1000 }],
      '`tiering.rules[0].objectSizeLessThan` must be greater than `objectSizeGreaterThan` (1000), got 1000');
  });

  test('a transition to STANDARD, where objects start', () => {
    expectRejected([{ id: 'r', transitions: [{ storageClass: new s3.StorageClass('STANDARD'), days: 30 }] }],
      "`tiering.rules[0].transitions[0].storageClass` must be one of STANDARD_IA, INTELLIGENT_TIERING, ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE (objects start in STANDARD and never transition back to it), got 'STANDARD'");
  });

  test('an unknown storage class', () => {
    expectRejected([{ id: 'r', transitions: [{ storageClass: new s3.StorageClass('REDUCED_REDUNDANCY'), days: 30 }] }],
      "`tiering.rules[0].transitions[0].storageClass` must be one of STANDARD_IA, INTELLIGENT_TIERING, ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE");
  });

  test.each([
    [INTELLIGENT_TIERING, STANDARD_IA, 'INTELLIGENT_TIERING → ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE'],
    [ONEZONE_IA, GLACIER_IR, 'ONEZONE_IA → GLACIER, DEEP_ARCHIVE'],
    [ONEZONE_IA, STANDARD_IA, 'ONEZONE_IA → GLACIER, DEEP_ARCHIVE'],
    [GLACIER, GLACIER_IR, 'GLACIER → DEEP_ARCHIVE'],
    [DEEP_ARCHIVE, GLACIER, 'DEEP_ARCHIVE → nothing (it is the last class)'],
  ])('a transition out of the waterfall order: %s → %s', (from, to, supported) => {
    expectRejected([{ id: 'r', transitions: [{ storageClass: from, days: 30 }, { storageClass: to, days: 400 }] }],
      `\`tiering.rules[0].transitions[1].storageClass\` cannot follow ${from.value}: S3 supports ${supported}, got '${to.value}'`);
  });

  test('days that are not whole or negative', () => {
    expectRejected([{ id: 'r', transitions: [{ storageClass: GLACIER, days: 1.5 }] }],
      '`tiering.rules[0].transitions[0].days` must be a whole number of at least 0, got 1.5');
    expectRejected([{ id: 'r', transitions: [{ storageClass: GLACIER, days: -1 }] }],
      '`tiering.rules[0].transitions[0].days` must be a whole number of at least 0, got -1');
    expectRejected([{ id: 'r', noncurrentTransitions: [{ storageClass: GLACIER, days: 0 }] }],
      '`tiering.rules[0].noncurrentTransitions[0].days` must be a whole number of at least 1, got 0');
  });

  test('days that do not increase', () => {
    expectRejected([{ id: 'r', transitions: [{ storageClass: INTELLIGENT_TIERING, days: 60 }, { storageClass: GLACIER, days: 60 }] }],
      "`tiering.rules[0].transitions[1].days` must be greater than the previous transition's 60 days (transitions run in order), got 60");
  });

  test.each([
    ['transitions', STANDARD_IA],
    ['transitions', ONEZONE_IA],
    ['noncurrentTransitions', STANDARD_IA],
    ['noncurrentTransitions', ONEZONE_IA],
  ])('%s to %s before 30 days', (kind, storageClass) => {
    expectRejected([{ id: 'r', [kind]: [{ storageClass, days: 10 }] }],
      `Tiering/Bucket: \`tiering.rules[0].${kind}[0].days\` must be at least 30 for ${storageClass.value} (S3 rejects earlier transitions to an infrequent-access class), got 10`);
  });

  test.each([
    [STANDARD_IA, GLACIER],
    [STANDARD_IA, DEEP_ARCHIVE],
    [ONEZONE_IA, GLACIER],
    [STANDARD_IA, ONEZONE_IA],
  ])('%s followed by %s less than 30 days later', (ia, next) => {
    expectRejected([{ id: 'r', transitions: [{ storageClass: ia, days: 30 }, { storageClass: next, days: 45 }] }],
      `\`tiering.rules[0].transitions[1].days\` must be at least 60: S3 requires objects to stay 30 days in ${ia.value} before moving to ${next.value}, got 45`);
  });

  test('STANDARD_IA followed by GLACIER_IR less than 30 days later is allowed, with a cost warning', () => {
    render({ id: 'r', transitions: [{ storageClass: STANDARD_IA, days: 30 }, { storageClass: GLACIER_IR, days: 45 }] });
    expect(warnings()).toEqual([expect.stringContaining('keeps objects in STANDARD_IA for 15 days before it moves on to GLACIER_IR, but STANDARD_IA bills at least 30 days')]);
  });

  test('an expiration not after the last transition', () => {
    expectRejected([{ id: 'r', transitions: [{ storageClass: GLACIER, days: 90 }], expirationDays: 90 }],
      "`tiering.rules[0].expirationDays` must be greater than the last transition's 90 days (to GLACIER): S3 rejects an expiration before or on the day of a transition, got 90");
    expectRejected([{ id: 'r', noncurrentTransitions: [{ storageClass: GLACIER, days: 30 }], noncurrentExpirationDays: 10 }],
      "`tiering.rules[0].noncurrentExpirationDays` must be greater than the last transition's 30 days (to GLACIER)");
  });

  test('an expiration of zero days', () => {
    expectRejected([{ id: 'r', expirationDays: 0 }], '`tiering.rules[0].expirationDays` must be a whole number of at least 1, got 0');
  });

  test('noncurrent versions to keep outside 1–100, or without a noncurrent expiration', () => {
    expectRejected([{ id: 'r', noncurrentExpirationDays: 30, noncurrentVersionsToKeep: 101 }],
      '`tiering.rules[0].noncurrentVersionsToKeep` must be a whole number from 1 to 100 (S3 keeps at most 100 newer noncurrent versions), got 101');
    expectRejected([{ id: 'r', expirationDays: 30, noncurrentVersionsToKeep: 5 }],
      '`tiering.rules[0].noncurrentVersionsToKeep` only applies together with `noncurrentExpirationDays`, got 5');
  });

  test.each([
    [{ prefix: `${'é'.repeat(512)}a` }, '`tiering.rules[0].prefix` must be at most 1024 bytes of UTF-8 (an S3 key prefix), not 1025'],
    [{ tags: { ['k'.repeat(129)]: 'v' } }, '`tiering.rules[0].tags key` must be 1 to 128 characters long (S3 object tag keys)'],
    [{ tags: { '': 'v' } }, "`tiering.rules[0].tags key` must be 1 to 128 characters long (S3 object tag keys), got ''"],
    [{ tags: { team: 'v'.repeat(257) } }, '`tiering.rules[0].tags.team` must be at most 256 characters long (S3 object tag values)'],
    [{ tags: { team: 'ml' }, abortIncompleteMultipartUploadDays: 7 },
      '`tiering.rules[0].abortIncompleteMultipartUploadDays` cannot be used in a rule with `tags` (S3 rejects it: multipart uploads have no tags); put it in a rule of its own, got 7'],
  ])('a filter S3 rejects: %p', (filter, message) => {
    expectRejected([{ id: 'r', expirationDays: 30, ...filter }], message);
  });

  test('filters at their limits are accepted', () => {
    expect(() => render({ id: 'r', expirationDays: 30, prefix: `${'é'.repeat(511)}ab`, tags: { ['k'.repeat(128)]: 'v'.repeat(256), empty: '' } },
      { id: 'u', abortIncompleteMultipartUploadDays: 7, prefix: 'tmp/' })).not.toThrow();
  });

  test('aborting incomplete uploads after zero days', () => {
    expectRejected([{ id: 'r', abortIncompleteMultipartUploadDays: 0 }],
      '`tiering.rules[0].abortIncompleteMultipartUploadDays` must be a whole number of at least 1, got 0');
  });
});

describe('warns where S3 accepts a rule that costs money for nothing', () => {
  test('expiring objects before their class\'s minimum storage duration', () => {
    render({ id: 'r', transitions: [{ storageClass: GLACIER_IR, days: 0 }], expirationDays: 30 });
    expect(warnings()).toEqual([expect.stringContaining(
      'tiering.rules[0].transitions[0] keeps objects in GLACIER_IR for 30 days before it expires, but GLACIER_IR bills at least 90 days')]);
  });

  test('moving noncurrent versions on before the minimum', () => {
    render({ id: 'r', noncurrentTransitions: [{ storageClass: GLACIER, days: 1 }, { storageClass: DEEP_ARCHIVE, days: 31 }] });
    expect(warnings()).toEqual([expect.stringContaining(
      'tiering.rules[0].noncurrentTransitions[0] keeps objects in GLACIER for 30 days before it moves on to DEEP_ARCHIVE, but GLACIER bills at least 90 days')]);
  });

  test('no warning for INTELLIGENT_TIERING, which has no minimum duration', () => {
    render({ id: 'r', transitions: [{ storageClass: INTELLIGENT_TIERING, days: 0 }], expirationDays: 1 });
    expect(warnings()).toEqual([]);
  });

  test('a size filter that lets objects under 128 KiB into STANDARD_IA', () => {
    render({ id: 'r', objectSizeGreaterThan: 1024, transitions: [{ storageClass: STANDARD_IA, days: 30 }] });
    expect(warnings()).toEqual([expect.stringContaining(
      'tiering.rules[0].objectSizeGreaterThan (1024) lets objects under 128 KiB move to STANDARD_IA, which bills each of them as 128 KiB')]);
  });

  test('archiving objects of any size with VARIES_BY_STORAGE_CLASS', () => {
    StorageTiering.custom({
      rules: [{ id: 'r', transitions: [{ storageClass: DEEP_ARCHIVE, days: 0 }] }],
      transitionDefaultMinimumObjectSize: s3.TransitionDefaultMinimumObjectSize.VARIES_BY_STORAGE_CLASS,
    }).render(bucketScope, 'tiering');
    expect(warnings()).toEqual([expect.stringContaining('tiering.rules[0] archives objects of any size to DEEP_ARCHIVE')]);
  });
});
