// The topics and consumer groups of one test or bench run: the contract's names under a run prefix.
import { TOPICS } from '@trellis/contracts';

export function runTopicName(run: string, topic: string): string {
  return `trellis-test.${run}.${topic}`;
}

export function runGroupId(run: string, consumer: string): string {
  return `trellis-test.${run}.${consumer}`;
}

/** Every contract topic, renamed for the run. */
export function runTopics(run: string): { readonly [K in keyof typeof TOPICS]: string } {
  return {
    processInstanceEvents: runTopicName(run, TOPICS.processInstanceEvents),
    runtimeCommands: runTopicName(run, TOPICS.runtimeCommands),
    runtimeCommandResults: runTopicName(run, TOPICS.runtimeCommandResults),
    deployments: runTopicName(run, TOPICS.deployments),
    deadLetter: runTopicName(run, TOPICS.deadLetter),
    messages: runTopicName(run, TOPICS.messages),
    decisionEvaluations: runTopicName(run, TOPICS.decisionEvaluations),
  };
}
