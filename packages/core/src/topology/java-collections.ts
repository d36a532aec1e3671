// The iteration orders of the Java collections behind Kafka Streams' TopologyDescription, so that describe() can
// print nodes, stores and topics in exactly Kafka Streams' order. Kafka Streams sorts successors and predecessors
// in TreeSets whose comparator reads sizes that change while the sets are filled, so the order depends on the tree's
// shape: a sorted array would not reproduce it, a red-black tree inserting as java.util.TreeMap does will.

/**
 * Orders strings as a `java.util.HashSet<String>` holding them iterates: by hash bucket, then insertion order.
 * `copied`: the set was made with `new HashSet<>(collection)` (capacity from the size) rather than grown by adds.
 */
export function javaHashOrder(values: readonly string[], copied: boolean): string[] {
  const unique = [...new Set(values)];
  let capacity = 16;
  if (copied) while (capacity < Math.floor(unique.length / 0.75) + 1) capacity *= 2;
  else while (unique.length > capacity * 0.75) capacity *= 2;
  const bucket = (s: string) => {
    const h = javaStringHash(s);
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  return unique
    .map((value, index) => ({ value, index, bucket: bucket(value) }))
    .sort((a, b) => a.bucket - b.bucket || a.index - b.index)
    .map((e) => e.value);
}

/** `String.hashCode()`: s[0]·31^(n−1) + … + s[n−1] in 32-bit arithmetic over UTF-16 code units. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

interface TreeNode<T> {
  value: T;
  left: TreeNode<T> | undefined;
  right: TreeNode<T> | undefined;
  parent: TreeNode<T> | undefined;
  black: boolean;
}

/** A `java.util.TreeSet`: a red-black tree that inserts and rebalances as `java.util.TreeMap.put` does. */
export class JavaTreeSet<T> {
  #root: TreeNode<T> | undefined;
  readonly #compare: (a: T, b: T) => number;

  constructor(compare: (a: T, b: T) => number) {
    this.#compare = compare;
  }

  add(value: T): void {
    let parent: TreeNode<T> | undefined;
    let t = this.#root;
    let cmp = 0;
    while (t !== undefined) {
      parent = t;
      cmp = this.#compare(value, t.value);
      if (cmp < 0) t = t.left;
      else if (cmp > 0) t = t.right;
      else return;
    }
    const node: TreeNode<T> = { value, left: undefined, right: undefined, parent, black: false };
    if (parent === undefined) this.#root = node;
    else if (cmp < 0) parent.left = node;
    else parent.right = node;
    this.#fixAfterInsertion(node);
  }

  /** In-order values, as the set iterates. */
  values(): T[] {
    const out: T[] = [];
    const walk = (n: TreeNode<T> | undefined): void => {
      if (n === undefined) return;
      walk(n.left);
      out.push(n.value);
      walk(n.right);
    };
    walk(this.#root);
    return out;
  }

  #fixAfterInsertion(inserted: TreeNode<T>): void {
    let x: TreeNode<T> | undefined = inserted;
    const isRed = (n: TreeNode<T> | undefined) => n !== undefined && !n.black;
    while (x !== undefined && x !== this.#root && isRed(x.parent)) {
      const p: TreeNode<T> = x.parent!;
      const g: TreeNode<T> | undefined = p.parent;
      if (g === undefined) break;
      if (p === g.left) {
        const uncle = g.right;
        if (isRed(uncle)) {
          p.black = true;
          uncle!.black = true;
          g.black = false;
          x = g;
        } else {
          if (x === p.right) {
            x = p;
            this.#rotateLeft(x);
          }
          x.parent!.black = true;
          x.parent!.parent!.black = false;
          this.#rotateRight(x.parent!.parent!);
        }
      } else {
        const uncle = g.left;
        if (isRed(uncle)) {
          p.black = true;
          uncle!.black = true;
          g.black = false;
          x = g;
        } else {
          if (x === p.left) {
            x = p;
            this.#rotateRight(x);
          }
          x.parent!.black = true;
          x.parent!.parent!.black = false;
          this.#rotateLeft(x.parent!.parent!);
        }
      }
    }
    this.#root!.black = true;
  }

  #rotateLeft(p: TreeNode<T>): void {
    const r = p.right!;
    p.right = r.left;
    if (r.left !== undefined) r.left.parent = p;
    r.parent = p.parent;
    if (p.parent === undefined) this.#root = r;
    else if (p.parent.left === p) p.parent.left = r;
    else p.parent.right = r;
    r.left = p;
    p.parent = r;
  }

  #rotateRight(p: TreeNode<T>): void {
    const l = p.left!;
    p.left = l.right;
    if (l.right !== undefined) l.right.parent = p;
    l.parent = p.parent;
    if (p.parent === undefined) this.#root = l;
    else if (p.parent.right === p) p.parent.right = l;
    else p.parent.left = l;
    l.right = p;
    p.parent = l;
  }
}
