// @kaskade/core — public entry point.
export {};
