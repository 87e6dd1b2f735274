// The history rebuild for operators (docs/architecture.md#history-service):
//   node --enable-source-maps --import ./tools/register.mjs apps/history-service/src/rebuild.ts [--from-event-store] [--group <id>]
// with the history-service's settings (and, with --from-event-store, the event store's), every replica stopped.
// Exit code 0: rebuilt; 2: refused (a replica is still in the consumer group); 1: bad settings or a failure.
import { HistoryRebuildRefusedError, type HistoryRebuildReport } from '@trellis/history';
import { ConfigurationError, environmentWithFiles, eventStoreSettings, validateSettings } from '@trellis/platform';

import { historyServiceSettings } from './history-service.settings.js';
import { rebuildHistory } from './rebuild-history.js';

const USAGE = 'Usage: rebuild.ts [--from-event-store] [--group <consumer group>]';
const args = process.argv.slice(2);
let fromEventStore = false;
let groupId: string | undefined;
for (let index = 0; index < args.length; index++) {
  if (args[index] === '--from-event-store') fromEventStore = true;
  else if (args[index] === '--group' && args[index + 1] !== undefined) groupId = args[++index];
  else {
    console.error(`Unknown argument ${args[index]}. ${USAGE}`);
    process.exit(1);
  }
}
const env = environmentWithFiles(process.env, process.cwd());

try {
  const log = (line: string): void => console.log(line);
  let report: HistoryRebuildReport;
  if (fromEventStore) {
    const settings = validateSettings({ ...historyServiceSettings, ...eventStoreSettings }, env);
    report = await rebuildHistory({ settings, eventStore: settings, log, ...(groupId === undefined ? {} : { groupId }) });
  } else {
    report = await rebuildHistory({ settings: validateSettings(historyServiceSettings, env), log, ...(groupId === undefined ? {} : { groupId }) });
  }
  console.log(
    `History rebuilt: consumer group ${report.groupId} replays ${report.topics.join(', ')} from the oldest message kept` +
      (report.replayedFromEventStore === undefined ? '' : `; ${report.replayedFromEventStore} event(s) replayed from the event store`) +
      '. Start the history-service.',
  );
} catch (error) {
  if (error instanceof ConfigurationError) {
    console.error(error.message);
    process.exit(1);
  }
  if (error instanceof HistoryRebuildRefusedError) {
    console.error(`Not rebuilt: ${error.message}`);
    process.exit(2);
  }
  console.error(`The history rebuild failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
