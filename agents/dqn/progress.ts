/** The live training progress bar (cli-progress) on stderr: steps/s, updates/s, epsilon, returns, loss. */
import cliProgress from 'cli-progress';

export interface ProgressValues {
  sps: number;
  ups: number;
  epsilon: number;
  meanReturn: number | null;
  loss: number | null;
}

export class TrainProgress {
  private readonly bar: cliProgress.SingleBar;
  private stopped = false;
  private lastUpdate = 0;

  constructor(total: number, start: number) {
    this.bar = new cliProgress.SingleBar(
      {
        format:
          'train |{bar}| {percentage}% {value}/{total} steps | {sps} steps/s | {ups} upd/s | eps {epsilon} | return {ret} | loss {loss}',
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, start, { sps: '-', ups: '-', epsilon: '-', ret: '-', loss: '-' });
  }

  update(step: number, v: ProgressValues): void {
    // Redraws are cheap but formatting every step is not; 10 times a second is plenty.
    const now = performance.now();
    if (now - this.lastUpdate < 100) return;
    this.lastUpdate = now;
    this.bar.update(step, {
      sps: v.sps.toFixed(0),
      ups: v.ups.toFixed(1),
      epsilon: v.epsilon.toFixed(3),
      ret: v.meanReturn === null ? '-' : v.meanReturn.toFixed(1),
      loss: v.loss === null ? '-' : v.loss.toFixed(4),
    });
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.bar.stop();
  }
}
