/**
 * Placement rules: constraints, affinities and spreads, in Nomad's API shape.
 *
 * @module
 */
import { type Infer, int, list, optInt, str, struct } from "./schema.ts";

/** A hard placement rule: `LTarget Operand RTarget` must hold on the node. */
export const ConstraintSpec = struct("Constraint", {
  /** Left-hand target, usually an interpolation such as `${attr.kernel.name}`. */
  LTarget: str("attribute"),
  /** Right-hand target. */
  RTarget: str("value"),
  /** `=`, `!=`, `<`, `regexp`, `version`, `distinct_hosts`, ... */
  Operand: str("operator"),
});
/** A hard placement rule. */
export type Constraint = Infer<typeof ConstraintSpec>;

/** A soft placement preference with a weight from -100 to 100. */
export const AffinitySpec = struct("Affinity", {
  LTarget: str("attribute"),
  RTarget: str("value"),
  Operand: str("operator"),
  Weight: optInt("weight"),
});
/** A soft placement preference. */
export type Affinity = Infer<typeof AffinitySpec>;

/** One target value of a spread and the share of allocations it should get. */
export const SpreadTargetSpec = struct("SpreadTarget", {
  Value: str({ name: "value", label: true }),
  Percent: int("percent"),
});
/** One target value of a spread. */
export type SpreadTarget = Infer<typeof SpreadTargetSpec>;

/** Spread allocations across the values of a node attribute. */
export const SpreadSpec = struct("Spread", {
  Attribute: str("attribute"),
  Weight: optInt("weight"),
  SpreadTarget: list(SpreadTargetSpec, { name: "target", block: true }),
});
/** Spread allocations across the values of a node attribute. */
export type Spread = Infer<typeof SpreadSpec>;
