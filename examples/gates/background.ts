import * as path from 'path';
import { MessageChannel, MessagePort, Worker, receiveMessageOnPort } from 'worker_threads';

/**
 * Worker threads that a synchronous validation plugin can wait for.
 *
 * The framework calls `validate()` synchronously, so a plugin cannot await anything; but worker
 * threads keep running (and their child processes with them) while the main thread works on
 * another gate. When the plugin needs the results, it blocks on a shared counter
 * (`Atomics.wait`) until the workers are done, then reads their messages without the event loop
 * (`receiveMessageOnPort`).
 *
 * The worker scripts are plain JavaScript beside this file, so that they load the same way under
 * tsx (the CDK app), ts-jest (the tests) and compiled JavaScript. A script receives in
 * `workerData` its own data plus `port` (a `MessagePort` to post its results on, and to receive
 * what `post()` sends) and `done` (an `Int32Array` to increment, then notify, once it has posted
 * its results).
 */
export class BackgroundWorkers {
  private readonly done = new Int32Array(new SharedArrayBuffer(4));
  private readonly ports: MessagePort[] = [];
  private readonly workers: Worker[] = [];

  /**
   * @param script the worker script's file name, in this folder
   * @param count how many workers run the script
   * @param data what each worker receives in `workerData` (beside `port` and `done`)
   */
  constructor(private readonly script: string, count: number, data: Record<string, unknown>) {
    for (let i = 0; i < count; i++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(path.join(__dirname, script), {
        workerData: { ...data, port: port2, done: this.done },
        transferList: [port2],
      });
      // A worker never keeps the process alive: if nobody waits for it, its work is not needed.
      worker.unref();
      this.ports.push(port1);
      this.workers.push(worker);
    }
  }

  /** Sends `message` to every worker. */
  public post(message: unknown): void {
    this.ports.forEach(port => port.postMessage(message));
  }

  /**
   * Blocks until every worker has counted itself done, stops them and returns what they posted.
   * The scripts count themselves done in a `finally`; the time limit only guards against a script
   * that cannot even load.
   */
  public wait<T>(timeoutSeconds = 600): T[] {
    const deadline = Date.now() + timeoutSeconds * 1000;
    for (let done = Atomics.load(this.done, 0); done < this.workers.length; done = Atomics.load(this.done, 0)) {
      if (Date.now() > deadline) {
        this.terminate();
        throw new Error(`Background workers (${this.script}) did not finish within ${timeoutSeconds} s`);
      }
      Atomics.wait(this.done, 0, done, 1000);
    }
    const messages: T[] = [];
    for (const port of this.ports) {
      for (let message = receiveMessageOnPort(port); message; message = receiveMessageOnPort(port)) {
        messages.push(message.message as T);
      }
    }
    this.terminate();
    return messages;
  }

  /** Stops the workers, whether or not they are done. */
  public terminate(): void {
    this.workers.forEach(worker => void worker.terminate());
    this.ports.forEach(port => port.close());
  }
}
