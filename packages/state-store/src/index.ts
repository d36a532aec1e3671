// @kaskade/state-store — public entry point.
export {};
