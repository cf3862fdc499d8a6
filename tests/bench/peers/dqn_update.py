#!/usr/bin/env python3
"""PyTorch reference for tests/bench/train.bench.ts: the same DQN workload on CPU.

Nature CNN on uint8 4x84x84 frames scaled inside the model, batch 32, Adam,
smooth-L1 (Huber) loss, Double DQN targets (online and target forward on the
next states). Prints one JSON object: updates/s and forward passes/s at batch
1 and 32, each the median of several timed repeats after a warm-up.

usage: dqn_update.py [--threads N] [--repeats R] [--seconds S]
"""
import argparse
import json
import statistics
import time

import torch
from torch import nn


class QNet(nn.Module):
    def __init__(self, actions: int = 6):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(4, 32, 8, stride=4), nn.ReLU(),
            nn.Conv2d(32, 64, 4, stride=2), nn.ReLU(),
            nn.Conv2d(64, 64, 3, stride=1), nn.ReLU(),
            nn.Flatten(),
            nn.Linear(64 * 7 * 7, 512), nn.ReLU(),
            nn.Linear(512, actions),
        )

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        return self.body(frames.float() / 255.0)


def rate(fn, per_call: int, repeats: int, seconds: float, cpu_ms=None) -> float:
    """Calls per second (times per_call), median over repeats of ~seconds/repeats each.

    When cpu_ms is a list, appends the process CPU milliseconds per call (all threads):
    unlike wall time it barely moves when other processes compete for the cores.
    """
    fn()
    fn()
    rates = []
    c0 = time.process_time()
    calls = 0
    for _ in range(repeats):
        n = 0
        t0 = time.perf_counter()
        while True:
            fn()
            n += 1
            dt = time.perf_counter() - t0
            if dt >= seconds / repeats:
                break
        rates.append(n * per_call / dt)
        calls += n
    if cpu_ms is not None:
        cpu_ms.append((time.process_time() - c0) * 1000 / calls)
    return statistics.median(rates)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--seconds', type=float, default=6.0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)

    batch, actions, gamma = 32, 6, 0.99
    online, target = QNet(actions), QNet(actions)
    target.load_state_dict(online.state_dict())
    opt = torch.optim.Adam(online.parameters(), lr=1e-4, eps=1e-8)

    obs = torch.randint(0, 256, (batch, 4, 84, 84), dtype=torch.uint8, generator=gen)
    next_obs = torch.randint(0, 256, (batch, 4, 84, 84), dtype=torch.uint8, generator=gen)
    acts = torch.randint(0, actions, (batch,), generator=gen)
    rewards = torch.rand(batch, generator=gen) * 2 - 1
    dones = (torch.rand(batch, generator=gen) < 0.1).float()

    def update() -> None:
        with torch.no_grad():
            best = online(next_obs).argmax(1, keepdim=True)
            next_q = target(next_obs).gather(1, best).squeeze(1)
            y = rewards + gamma * (1 - dones) * next_q
        q = online(obs).gather(1, acts.unsqueeze(1)).squeeze(1)
        loss = nn.functional.smooth_l1_loss(q, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    one = obs[:1].clone()

    def fwd1() -> None:
        with torch.no_grad():
            online(one)

    def fwd32() -> None:
        with torch.no_grad():
            online(obs)

    update_cpu = []
    out = {
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        'updatesPerSec': rate(update, 1, args.repeats, args.seconds, update_cpu),
        'forwardB1PerSec': rate(fwd1, 1, args.repeats, args.seconds / 3),
        'forwardB32PerSec': rate(fwd32, 1, args.repeats, args.seconds / 2),
    }
    out['updateCpuMs'] = update_cpu[0]
    print(json.dumps(out))


if __name__ == '__main__':
    main()
