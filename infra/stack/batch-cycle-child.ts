import { runBatchCycle, type BatchCycleConfig } from './batch-cycle.js'

/*
 * The batch cycle's child process (see batch-cycle-runner.ts): runs one cycle per message and
 * answers with its report or its error, so shredding and batch views never run on the process
 * that serves the API, and what they grow is given back when the child is replaced.
 */
process.on('message', (message: { readonly id: number; readonly config: BatchCycleConfig }) => {
  runBatchCycle(message.config).then(
    (report) => process.send?.({ id: message.id, ok: true, report }),
    (e: unknown) =>
      process.send?.({
        id: message.id,
        ok: false,
        error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
      }),
  )
})
// The stack going away (its IPC channel closing) ends the child too.
process.on('disconnect', () => process.exit(0))
