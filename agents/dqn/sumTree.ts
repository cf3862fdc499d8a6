/** Prioritised replay's index: a sum tree over slot priorities (Schaul et al. 2016, appendix B). */

/** A binary sum tree over `n` leaves: O(log n) update and prefix-sum search. */
export class SumTree {
  readonly leaves: number;
  readonly nodes: Float64Array;

  constructor(n: number) {
    let leaves = 1;
    while (leaves < n) leaves *= 2;
    this.leaves = leaves;
    this.nodes = new Float64Array(2 * leaves);
  }

  get byteLength(): number {
    return this.nodes.byteLength;
  }

  get total(): number {
    return this.nodes[1];
  }

  get(i: number): number {
    return this.nodes[this.leaves + i];
  }

  set(i: number, value: number): void {
    let node = this.leaves + i;
    const delta = value - this.nodes[node];
    while (node >= 1) {
      this.nodes[node] += delta;
      node >>= 1;
    }
  }

  /** The leaf whose cumulative range contains `mass` (0 <= mass < total). */
  find(mass: number): number {
    let node = 1;
    while (node < this.leaves) {
      const left = 2 * node;
      if (mass < this.nodes[left]) node = left;
      else {
        mass -= this.nodes[left];
        node = left + 1;
      }
    }
    return node - this.leaves;
  }
}
