/**
 * A user's joiner as the join processors hold it. It is declared through a method so that TypeScript compares its
 * parameters bivariantly: an inner join's `ValueJoiner<V, VO>` (which never sees null) is accepted where the
 * processor's type says a side may be null. The join's mode, not the joiner's type, guarantees that null is only
 * passed for the outer side(s) the user's joiner was declared for (`leftJoin`'s `VO | null`, `outerJoin`'s both).
 * No wrapper: the processors call the user's function directly.
 */
export type InternalJoiner<V1, V2, VR, K> = { joiner(value1: V1, value2: V2, key: K): VR }['joiner'];
