import { parentPort, workerData } from 'node:worker_threads';
import { noteDamaged } from './open-database.js';
import { ProfileStore } from './profile-store.js';
import {
  applyWrite,
  saveFailure,
  type WorkerData,
  type WorkerReply,
  type WorkerRequest,
} from './progress-writer.js';

/**
 * The save worker: applies queued writes in order on its own connection, retrying failures
 * (a full disk may get space again) until told to give up. A damaged file is not written
 * again.
 */
const port = parentPort;
if (!port) throw new Error('progress-worker runs as a worker thread');
const data = workerData as WorkerData;

type QueuedRequest = Extract<WorkerRequest, { seq: number }>;

const reply = (message: WorkerReply) => port.postMessage(message);
let store: ProfileStore | undefined;
try {
  // The main thread has just checked the file; a second full page check would only cost.
  store = ProfileStore.open(data.file, { verify: false });
} catch (error) {
  const failure = saveFailure(error, data.file);
  reply({ type: 'fatal', code: failure.code, message: failure.message });
  process.exit(1);
}

const queue: QueuedRequest[] = [];
let retry: NodeJS.Timeout | undefined;
let failing = false;
let closing = false;
/** Writes that will never reach the file (damaged, or given up). */
let dropped = 0;
let finished = false;

function drain(): void {
  retry = undefined;
  while (queue.length > 0 && store) {
    const next = queue[0]!;
    try {
      applyWrite(store, next);
    } catch (error) {
      const failure = saveFailure(error, data.file);
      const damaged = failure.code === 'corrupt_database';
      failing = true;
      reply({
        type: 'failed',
        seq: next.seq,
        code: failure.code,
        message: failure.message,
        damaged,
      });
      if (damaged) {
        // Stop writing to it at once: what is counted stays in memory, the streamer is told.
        noteDamaged(data.file);
        letGo();
      } else {
        retry = setTimeout(drain, data.retryMs);
      }
      break;
    }
    queue.shift();
    if (queue.length === 0 || queue[0]!.seq !== next.seq + 1)
      reply({ type: 'saved', seq: next.seq });
  }
  if (failing && queue.length === 0 && store) {
    failing = false;
    reply({ type: 'recovered' });
  }
  if (closing && (queue.length === 0 || !store)) finish();
}

/** Closes the connection; later writes are dropped. */
function letGo(): void {
  if (retry) clearTimeout(retry);
  retry = undefined;
  dropped += queue.length;
  queue.length = 0;
  try {
    store?.close();
  } catch {
    // the file is being given up anyway
  }
  store = undefined;
}

function finish(): void {
  if (finished) return;
  finished = true;
  letGo();
  reply({ type: 'closed', unsaved: dropped });
  port!.close();
}

port.on('message', (request: WorkerRequest) => {
  switch (request.type) {
    case 'close':
      closing = true;
      // While saves fail they go on being retried until they work or `abandon` comes.
      if (!retry) drain();
      return;
    case 'abandon':
      finish();
      return;
    case 'halt':
      letGo();
      if (closing) finish();
      return;
    default:
      if (!store) {
        dropped++;
        return;
      }
      queue.push(request);
      // Writes that arrive together are committed back to back, acknowledged once.
      if (!retry && queue.length === 1) setImmediate(drain);
  }
});
reply({ type: 'ready' });
