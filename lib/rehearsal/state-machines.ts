import { explore } from './state-machine-runner';
import { TemplateResolver, isUnresolved } from './template-resolver';

/** What the rehearsal found running one state machine. */
export interface StateMachineOutcome {
  readonly logicalId: string;
  /** How many paths were explored, and how many ended in success or in a (caught or uncaught) failure. */
  readonly paths: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Runtime errors and machines with no successful path. */
  readonly problems: string[];
  /** Integrations or features the rehearsal cannot run. */
  readonly notModelled: string[];
}

/**
 * Runs every `AWS::StepFunctions::StateMachine` of a template locally (see
 * `state-machine-runner.ts`): its `DefinitionString` (or `Definition`) is resolved, its
 * `DefinitionSubstitutions` applied, and every path explored with API-shaped task results, the
 * success and the failure of each task. A path that reaches a runtime error, or a machine with no
 * path that succeeds, is a finding.
 */
export function checkStateMachines(resolver: TemplateResolver): StateMachineOutcome[] {
  const outcomes: StateMachineOutcome[] = [];
  for (const [id, resource] of Object.entries(resolver.resources)) {
    if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const props = resource.Properties ?? {};
    const outcome = { logicalId: id, paths: 0, succeeded: 0, failed: 0, problems: [] as string[], notModelled: [] as string[] };
    outcomes.push(outcome);
    let text: string;
    if (props.DefinitionString !== undefined) {
      text = resolver.text(props.DefinitionString);
    } else if (props.Definition !== undefined) {
      text = JSON.stringify(resolver.resolve(props.Definition));
    } else {
      outcome.notModelled.push(`${id}: the definition is in S3 (DefinitionS3Location), which the rehearsal cannot read`);
      continue;
    }
    const substitutions = resolver.resolve(props.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(substitutions)) {
      text = text.split(`\${${key}}`).join(String(value));
    }
    let definition: { StartAt: string; States: Record<string, unknown> };
    try {
      definition = JSON.parse(text);
    } catch (error) {
      outcome.problems.push(`${id}: the resolved definition is not JSON (${(error as Error).message})`);
      continue;
    }
    const exploration = explore(definition);
    for (const end of exploration.ends) {
      const trail = end.trail.join(' → ');
      switch (end.kind) {
        case 'succeeded':
          outcome.paths++;
          outcome.succeeded++;
          break;
        case 'failed':
          outcome.paths++;
          outcome.failed++;
          break;
        case 'runtime-error': {
          outcome.paths++;
          const integration = resultSourceOf(definition, end.trail[end.trail.length - 1], exploration.integrations);
          outcome.problems.push(`${id}, path ${trail}: ${end.error}: ${end.cause}`
            + `${end.error === 'States.Runtime' ? '; no Retry or Catch handles States.Runtime (not even States.ALL), so the execution fails' : ''}`
            + `${integration ? ` [task result shaped as ${integration}]` : ''}`);
          break;
        }
        case 'not-modelled':
          outcome.notModelled.push(`${id}, path ${trail}: ${end.cause}`);
          break;
        case 'cut':
          outcome.paths++;
          break;
      }
    }
    if (outcome.succeeded === 0 && outcome.problems.length === 0 && outcome.notModelled.length === 0 && !isUnresolved(text)) {
      outcome.problems.push(`${id}: no path of the definition succeeds`);
    }
  }
  return outcomes;
}

function resultSourceOf(definition: { States: Record<string, unknown> }, stateName: string | undefined, integrations: Map<string, string>): string | undefined {
  const state = stateName ? definition.States[stateName] as { Resource?: string } | undefined : undefined;
  return state?.Resource ? `${state.Resource}: ${integrations.get(state.Resource) ?? 'no result table entry'}` : undefined;
}
