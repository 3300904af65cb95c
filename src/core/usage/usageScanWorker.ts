// Worker thread of a usage scan: reads the files the scanning thread sends, one at a time, with the
// same tail and line rules as that thread, and sends back each file's counted lines and new state.

import { parentPort } from 'node:worker_threads';
import { newUsageTail, readWithTail, type WorkerReply, type WorkerRequest } from './usageFileReads';

const port = parentPort;
if (port !== null) {
  port.on('message', (m: WorkerRequest) => {
    if (m === null) {
      port.close();
      return;
    }
    const tail = newUsageTail(m.state.path, m.state, m.maxScanBytesPerFile, () => m.now);
    void readWithTail(tail).then((read) => {
      // The tail itself stays here: only plain data crosses threads.
      const plain = { ...read, tail: undefined };
      port.postMessage({ ready: false, path: m.state.path, read: plain } satisfies WorkerReply);
    });
  });
  port.postMessage({ ready: true } satisfies WorkerReply);
}
